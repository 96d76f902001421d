package io.benchline.builds.archive;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.benchline.builds.app.BuildFailure;
import io.benchline.builds.app.Deadline;
import io.benchline.builds.procedure.ProcedureSpec;
import io.benchline.builds.source.SourceFile;
import io.benchline.builds.source.SourceTree;
import io.benchline.events.Commit;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * Packs one commit into the deterministic archive: {@code manifest.json} first, then the files sorted by path
 * (String order of the '/'-separated path), every entry time 1980-01-01T00:00:00, no extra fields, no comments,
 * stored (see {@link DeterministicZip}). Nothing that differs between two builds of one commit enters: not the
 * branch, the trigger, the worker or the time, so a commit has one digest however it was built. The source comes from the git object database, so
 * {@code .git} and working-tree effects (line endings, permissions, file times) never enter.
 */
@ApplicationScoped
public class ArchiveWriter {
    public static final String MANIFEST = "manifest.json";
    /** Where vendored wheels go in the archive. */
    public static final String WHEELS = "wheels/";
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(SerializationFeature.INDENT_OUTPUT);

    /** The manifest's bytes for this commit and procedure; also what {@link #pack} writes first. */
    public static byte[] manifestBytes(Manifest manifest) {
        try {
            return JSON.writeValueAsBytes(manifest);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write manifest.json", e);
        }
    }

    public PackedArchive pack(SourceTree tree, ProcedureSpec spec, Path target, Deadline deadline) {
        return pack(tree, spec, List.of(), target, deadline);
    }

    /**
     * As {@link #pack(SourceTree, ProcedureSpec, Path, Deadline)}, with the vendored wheels after the source, under
     * {@code wheels/} (sorted, listed in the manifest like every file). A commit that has a {@code wheels/} folder of
     * its own cannot also vendor packages.
     */
    public PackedArchive pack(SourceTree tree, ProcedureSpec spec, List<io.benchline.builds.packages.WheelVendor.Wheel>
            wheels, Path target, Deadline deadline) {
        List<SourceFile> files = new ArrayList<>(tree.files());
        files.sort(Comparator.comparing(SourceFile::path));
        if (tree.file(MANIFEST).isPresent()) {
            throw new BuildFailure("the repository must not contain " + MANIFEST
                    + " at its root: the archive's manifest takes that name");
        }
        try {
            List<Manifest.FileEntry> entries = new ArrayList<>(files.size());
            long sourceBytes = 0;
            for (SourceFile file : files) {
                deadline.check();
                entries.add(new Manifest.FileEntry(file.path(), file.size(), sha256Of(tree, file)));
                sourceBytes += file.size();
            }
            if (!wheels.isEmpty() && files.stream().anyMatch(f -> f.path().startsWith(WHEELS))) {
                throw new BuildFailure("the repository has a " + WHEELS + " folder, where the archive vendors the"
                        + " locked packages; rename it");
            }
            for (var wheel : wheels) {
                entries.add(new Manifest.FileEntry(WHEELS + wheel.filename(), wheel.size(), wheel.sha256()));
            }
            Commit commit = tree.commit();
            Manifest manifest = new Manifest(Manifest.SCHEMA_VERSION,
                    new Manifest.Procedure(spec.name(), spec.language(), spec.runtimeVersion(), spec.platform(),
                            spec.entryPoint(), spec.format()),
                    new Manifest.Commit(commit.sha(), commit.message(), commit.author()),
                    entries);

            try (DeterministicZip zip = new DeterministicZip(target)) {
                zip.add(MANIFEST, new ByteArrayInputStream(manifestBytes(manifest)));
                for (SourceFile source : files) {
                    deadline.check();
                    try (InputStream in = tree.open(source)) {
                        zip.add(source.path(), in);
                    }
                }
                for (var wheel : wheels) {
                    deadline.check();
                    try (InputStream in = Files.newInputStream(wheel.file())) {
                        zip.add(WHEELS + wheel.filename(), in);
                    }
                }
                zip.finish();
            } catch (DeterministicZip.ZipLimitException e) {
                throw new BuildFailure("the archive cannot be packed: " + e.getMessage());
            }
            MessageDigest archiveDigest = sha256();
            try (InputStream in = Files.newInputStream(target)) {
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    archiveDigest.update(buffer, 0, n);
                }
            }
            long size = Files.size(target);
            String digest = "sha256:" + HexFormat.of().formatHex(archiveDigest.digest());
            return new PackedArchive(target, size, digest, files.size() + wheels.size(), sourceBytes);
        } catch (IOException e) {
            throw new BuildFailure("cannot write the archive: " + e.getMessage(), e);
        }
    }

    private static String sha256Of(SourceTree tree, SourceFile file) throws IOException {
        MessageDigest digest = sha256();
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = tree.open(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
