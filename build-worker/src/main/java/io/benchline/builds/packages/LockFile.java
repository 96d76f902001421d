package io.benchline.builds.packages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.benchline.builds.app.BuildFailure;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packages a procedure locks, read from {@code uv.lock}, {@code pylock.toml} (PEP 751) or a fully pinned
 * {@code requirements.txt} ({@code name==version --hash=sha256:...}): each with the SHA-256 hashes its files may
 * have. The procedure's own project (uv's editable or virtual source) is not a package to download.
 */
public final class LockFile {
    private static final TomlMapper TOML = new TomlMapper();
    private static final Pattern PINNED = Pattern.compile(
            "^([A-Za-z0-9][A-Za-z0-9._-]*)(\\[[^]]*])?\\s*===?\\s*([A-Za-z0-9.+!_-]+)\\s*(;.*)?$");
    private static final Pattern HASH = Pattern.compile("--hash[=\\s]+sha256:([0-9a-fA-F]{64})");

    /** A locked package; {@code files} are the wheel file names the lock names (may be empty: any of the hashes). */
    public record Locked(String name, String version, Set<String> sha256, Set<String> files) {
        /** PEP 503 normalized name: lower case, runs of -_. as one -. */
        public String normalizedName() {
            return normalize(name);
        }
    }

    private LockFile() {
    }

    public static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
    }

    /** The packages of a lock file of this name; a {@link BuildFailure} naming the line or package that is unusable. */
    public static List<Locked> read(String file, String text) {
        return switch (file) {
            case "uv.lock" -> uvLock(text);
            case "pylock.toml" -> pylock(text);
            default -> requirements(file, text);
        };
    }

    private static JsonNode toml(String file, String text) {
        try {
            return TOML.readTree(text);
        } catch (IOException e) {
            String message = e.getMessage() == null ? "syntax error" : e.getMessage().lines().findFirst().orElse("");
            throw new BuildFailure(file + " is not valid TOML (" + message + ")");
        }
    }

    static List<Locked> uvLock(String text) {
        List<Locked> out = new ArrayList<>();
        for (JsonNode p : toml("uv.lock", text).path("package")) {
            JsonNode source = p.path("source");
            if (source.has("editable") || source.has("virtual") || source.has("directory")) {
                continue; // the procedure's own project
            }
            String name = p.path("name").asText(null);
            String version = p.path("version").asText(null);
            if (name == null || version == null) {
                throw new BuildFailure("uv.lock: a package without name or version");
            }
            if (source.has("git") || source.has("path") || source.has("url")) {
                throw new BuildFailure("uv.lock: package " + name + " " + version + " comes from "
                        + source.fieldNames().next() + ", not a package index: only index packages can be vendored");
            }
            Set<String> hashes = new LinkedHashSet<>();
            Set<String> files = new LinkedHashSet<>();
            for (JsonNode w : p.path("wheels")) {
                hash(w.path("hash").asText("")).ifPresent(hashes::add);
                String url = w.path("url").asText("");
                if (!url.isEmpty()) {
                    files.add(url.substring(url.lastIndexOf('/') + 1));
                }
            }
            if (hashes.isEmpty()) {
                throw new BuildFailure("uv.lock: package " + name + " " + version + " locks no wheel (an sdist only"
                        + " cannot be vendored: the station installs offline)");
            }
            out.add(new Locked(name, version, hashes, files));
        }
        return out;
    }

    static List<Locked> pylock(String text) {
        List<Locked> out = new ArrayList<>();
        for (JsonNode p : toml("pylock.toml", text).path("packages")) {
            String name = p.path("name").asText(null);
            String version = p.path("version").asText(null);
            if (p.has("directory") || p.has("vcs") || p.has("archive")) {
                throw new BuildFailure("pylock.toml: package " + name + " is not from a package index: only index"
                        + " packages can be vendored");
            }
            if (name == null || version == null) {
                throw new BuildFailure("pylock.toml: a package without name or version");
            }
            Set<String> hashes = new LinkedHashSet<>();
            Set<String> files = new LinkedHashSet<>();
            for (JsonNode w : p.path("wheels")) {
                String sha = w.path("hashes").path("sha256").asText("");
                if (sha.matches("[0-9a-fA-F]{64}")) {
                    hashes.add(sha.toLowerCase(Locale.ROOT));
                }
                String fileName = w.path("name").asText(w.path("url").asText(""));
                if (!fileName.isEmpty()) {
                    files.add(fileName.substring(fileName.lastIndexOf('/') + 1));
                }
            }
            if (hashes.isEmpty()) {
                throw new BuildFailure("pylock.toml: package " + name + " " + version + " locks no wheel with a"
                        + " sha256 hash");
            }
            out.add(new Locked(name, version, hashes, files));
        }
        return out;
    }

    static List<Locked> requirements(String file, String text) {
        List<Locked> out = new ArrayList<>();
        String[] lines = text.replace("\\\r\n", " ").replace("\\\n", " ").split("\\R");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].replaceAll("(^|\\s)#.*$", "").strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("-")) {
                if (line.startsWith("--hash")) {
                    continue;
                }
                throw new BuildFailure(file + " line " + (i + 1) + ": options such as '" + line.split("\\s+")[0]
                        + "' are not supported; list pinned packages with hashes only");
            }
            String requirement = line.split("\\s+--hash")[0].strip();
            Matcher m = PINNED.matcher(requirement);
            if (!m.matches()) {
                throw new BuildFailure(file + " line " + (i + 1) + ": '" + requirement + "' is not pinned; write"
                        + " name==version --hash=sha256:... (pip-compile --generate-hashes or uv export write it)");
            }
            Set<String> hashes = new LinkedHashSet<>();
            Matcher h = HASH.matcher(line);
            while (h.find()) {
                hashes.add(h.group(1).toLowerCase(Locale.ROOT));
            }
            if (hashes.isEmpty()) {
                throw new BuildFailure(file + " line " + (i + 1) + ": " + m.group(1) + "==" + m.group(3)
                        + " has no --hash=sha256:...; every package needs the hash of its wheel");
            }
            out.add(new Locked(m.group(1), m.group(3), hashes, Set.of()));
        }
        return out;
    }

    private static java.util.Optional<String> hash(String value) {
        return value.startsWith("sha256:") && value.substring(7).matches("[0-9a-fA-F]{64}")
                ? java.util.Optional.of(value.substring(7).toLowerCase(Locale.ROOT)) : java.util.Optional.empty();
    }
}
