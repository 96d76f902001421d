package io.benchline.builds.packages;

import io.benchline.builds.app.BuildFailure;
import io.benchline.builds.app.BuildLog;
import io.benchline.builds.app.Deadline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Downloads the wheels of a procedure's locked packages from the configured package index, each checked against the
 * lock's SHA-256, for the station platform and the resolved Python, so the artifact carries every package and a
 * station installs offline. A package without a fitting wheel, or a file whose hash the lock does not name, fails the
 * build naming the package.
 */
public final class WheelVendor {
    /** A downloaded wheel: its file name (its path in the artifact is {@code wheels/<filename>}), file, size, hash. */
    public record Wheel(String filename, Path file, long size, String sha256) {
    }

    /** The wheels, sorted by file name, and the platform they need ({@code any} when all are pure Python). */
    public record Vendored(List<Wheel> wheels, String platform) {
    }

    /** How the worker reaches its index, and the limits. */
    public record Settings(String indexUrl, String stationPlatform, long maxWheelBytes, long maxTotalBytes,
            Duration timeout) {
    }

    private final Settings settings;

    public WheelVendor(Settings settings) {
        this.settings = settings;
    }

    /**
     * Vendors the selected packages, after logging those the lock file's markers left out ({@code selection} is
     * {@link LockFile#read} for this station platform and {@code runtimeVersion}).
     */
    public Vendored vendor(LockFile.Selection selection, String runtimeVersion, Path directory, Deadline deadline,
            BuildLog log) {
        List<String> unneeded = new ArrayList<>();
        for (LockFile.LeftOut left : selection.leftOut()) {
            if (left.marker() != null) {
                log.info(left.describe());
            } else {
                unneeded.add(left.name() + " " + left.version());
            }
        }
        if (!unneeded.isEmpty()) { // dev groups can be long: one line
            log.info("packages left out as nothing the station installs depends on them (dev dependencies, extras"
                    + " nobody requests, versions for other environments): "
                    + String.join(", ", unneeded));
        }
        List<LockFile.Locked> packages = selection.packages();
        if (packages.isEmpty()) {
            return new Vendored(List.of(), "any");
        }
        int minor = Integer.parseInt(runtimeVersion.substring(runtimeVersion.indexOf('.') + 1));
        PackageIndex index = new PackageIndex(settings.indexUrl(), settings.timeout());
        log.info("vendoring " + packages.size() + " locked packages for " + settings.stationPlatform() + ", python "
                + runtimeVersion + " from " + index.url());
        try {
            Files.createDirectories(directory);
        } catch (java.io.IOException e) {
            throw new BuildFailure("cannot create the wheels folder: " + e.getMessage(), e);
        }
        List<Wheel> wheels = new ArrayList<>();
        long total = 0;
        boolean platformSpecific = false;
        for (LockFile.Locked p : packages) {
            deadline.check();
            PackageIndex.IndexFile chosen = choose(p, index.files(p.normalizedName(), deadline), minor, index);
            Path target = directory.resolve(chosen.filename());
            String sha = index.download(chosen, target, settings.maxWheelBytes(), deadline);
            if (!p.sha256().contains(sha)) {
                throw new BuildFailure("package " + p.name() + " " + p.version() + ": " + chosen.filename()
                        + " has sha256 " + sha + ", which the lock does not name (it names "
                        + String.join(", ", p.sha256()) + ")");
            }
            long size;
            try {
                size = Files.size(target);
            } catch (java.io.IOException e) {
                throw new BuildFailure("cannot read " + chosen.filename() + ": " + e.getMessage(), e);
            }
            total += size;
            if (total > settings.maxTotalBytes()) {
                throw new BuildFailure("the locked packages' wheels exceed " + settings.maxTotalBytes()
                        + " bytes (benchline.build.max-packages-size)");
            }
            platformSpecific |= !WheelTags.parse(chosen.filename()).map(WheelTags::universal).orElse(true);
            wheels.add(new Wheel(chosen.filename(), target, size, sha));
            log.info("package " + p.name() + " " + p.version() + ": " + chosen.filename() + " (" + size
                    + " bytes, sha256 checked)");
        }
        wheels.sort(Comparator.comparing(Wheel::filename));
        return new Vendored(List.copyOf(wheels), platformSpecific ? settings.stationPlatform() : "any");
    }

    /** The wheel to vendor: of this name and version, fitting the station, with a hash the lock names. */
    private PackageIndex.IndexFile choose(LockFile.Locked p, List<PackageIndex.IndexFile> files, int minor,
            PackageIndex index) {
        if (files.isEmpty()) {
            throw new BuildFailure("package " + p.name() + " " + p.version() + ": the package index "
                    + index.url() + " does not have it");
        }
        List<PackageIndex.IndexFile> fitting = new ArrayList<>();
        for (PackageIndex.IndexFile f : files) {
            WheelTags tags = WheelTags.parse(f.filename()).orElse(null);
            if (tags == null || !LockFile.normalize(tags.name()).equals(p.normalizedName())
                    || !tags.version().equals(p.version()) || !tags.fits(settings.stationPlatform(), minor)) {
                continue;
            }
            if (!p.files().isEmpty() && !p.files().contains(f.filename())) {
                continue; // the lock names its wheels: only those
            }
            if (!f.sha256().isEmpty() && !p.sha256().contains(f.sha256())) {
                continue; // the index says so already
            }
            fitting.add(f);
        }
        if (fitting.isEmpty()) {
            throw new BuildFailure("package " + p.name() + " " + p.version() + ": no wheel for "
                    + settings.stationPlatform() + " and python 3." + minor + " at " + index.url()
                    + " with a hash the lock names (the index has " + files.size() + " files for it)");
        }
        // Pure Python first (one file for every station), then the first platform wheel in the index's order.
        return fitting.stream().filter(f -> WheelTags.parse(f.filename()).map(WheelTags::universal).orElse(false))
                .findFirst().orElse(fitting.get(0));
    }
}
