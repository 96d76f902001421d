package io.benchline.builds.packages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.benchline.builds.app.BuildFailure;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packages a procedure locks, read from {@code uv.lock}, {@code pylock.toml} (PEP 751) or a fully pinned
 * {@code requirements.txt} ({@code name==version --hash=sha256:...}): each with the SHA-256 hashes its files may
 * have, and only those the station needs: environment markers (PEP 508, {@link Markers}) are evaluated for the
 * {@link StationEnvironment}. The procedure's own project (uv's editable, virtual or directory source) is not a
 * package to download.
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

    /**
     * A locked package the station does not need: {@code marker} is the marker found false (of the dependency
     * edges to it, the first), null when nothing the station installs depends on it at all.
     */
    public record LeftOut(String name, String version, String marker, String reason) {
        /** For the build log: {@code package colorama 0.4.6 left out: sys_platform == 'win32' is false on ...}. */
        public String describe() {
            return "package " + name + " " + version + " left out: " + reason;
        }
    }

    /** What a lock file gives a station: the packages to vendor, in the lock's order, and those left out. */
    public record Selection(List<Locked> packages, List<LeftOut> leftOut, StationEnvironment station) {
    }

    /** A uv.lock package's dependency list to follow: its own ({@code extra} null) or one of its extras'. */
    private record Step(int index, String extra) {
    }

    private LockFile() {
    }

    public static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
    }

    /**
     * The packages of a lock file of this name that a station of this environment needs; a {@link BuildFailure}
     * naming the line or package that is unusable (an unparsable marker included).
     */
    public static Selection read(String file, String text, StationEnvironment station) {
        return switch (file) {
            case "uv.lock" -> uvLock(text, station);
            case "pylock.toml" -> pylock(text, station);
            default -> requirements(file, text, station);
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

    /** Whether a marker holds; an unreadable one fails the build naming {@code where} (the package, the line). */
    private static boolean holds(String marker, StationEnvironment station, String where) {
        try {
            return Markers.evaluate(marker, station);
        } catch (Markers.Invalid e) {
            throw new BuildFailure(where + ": the environment marker \"" + marker + "\" is not valid PEP 508 ("
                    + e.getMessage() + ")");
        }
    }

    private static String falseOn(String marker, StationEnvironment station) {
        return marker + " is false on " + station.describe();
    }

    /**
     * uv.lock lists every package of every environment uv resolved for (its {@code resolution-markers} forks), and
     * dev groups too. Vendored: what the project packages reach through {@code dependencies} whose marker holds,
     * following {@code extra = [...]} into the target's {@code optional-dependencies}; never
     * {@code dev-dependencies}. An edge that names a version (a package locked in several) reaches that one.
     */
    static Selection uvLock(String text, StationEnvironment station) {
        List<JsonNode> packages = new ArrayList<>();
        toml("uv.lock", text).path("package").forEach(packages::add);
        List<Integer> projects = new ArrayList<>();
        for (int i = 0; i < packages.size(); i++) {
            JsonNode p = packages.get(i);
            // uv writes no version for a project whose version is dynamic
            if (p.path("name").asText(null) == null || (!local(p) && p.path("version").asText(null) == null)) {
                throw new BuildFailure("uv.lock: a package without name or version");
            }
            if (local(p)) {
                projects.add(i);
            }
        }
        boolean[] needed = new boolean[packages.size()];
        Map<Integer, String> falseMarker = new HashMap<>();
        if (projects.isEmpty() || projects.stream().allMatch(i -> declaresNothing(packages.get(i)))) {
            // No project to start from, or one naming no dependency while the lock lists packages (not what uv
            // writes: a hand-made lock): every package is needed.
            Arrays.fill(needed, true);
        } else {
            Deque<Step> steps = new ArrayDeque<>();
            Set<Step> seen = new HashSet<>();
            projects.forEach(i -> steps.add(new Step(i, null)));
            seen.addAll(steps);
            while (!steps.isEmpty()) {
                Step step = steps.poll();
                JsonNode from = packages.get(step.index());
                for (JsonNode edge : edges(from, step.extra())) {
                    int target = target(packages, from, edge);
                    String marker = edge.path("marker").asText(null);
                    if (marker != null && !holds(marker, station, "uv.lock: package " + label(from)
                            + ", its dependency " + edge.path("name").asText())) {
                        falseMarker.putIfAbsent(target, marker);
                        continue;
                    }
                    needed[target] = true;
                    List<Step> next = new ArrayList<>(List.of(new Step(target, null)));
                    edge.path("extra").forEach(x -> next.add(new Step(target, normalize(x.asText()))));
                    next.stream().filter(seen::add).forEach(steps::add);
                }
            }
        }
        List<Locked> out = new ArrayList<>();
        List<LeftOut> leftOut = new ArrayList<>();
        for (int i = 0; i < packages.size(); i++) {
            JsonNode p = packages.get(i);
            if (projects.contains(i)) {
                continue; // the procedure's own project
            }
            String name = p.path("name").asText();
            String version = p.path("version").asText();
            if (needed[i]) {
                out.add(uvPackage(p, name, version));
            } else {
                String marker = falseMarker.get(i);
                leftOut.add(new LeftOut(name, version, marker, marker != null ? falseOn(marker, station)
                        : "nothing the station installs depends on it (a dev dependency, an extra nobody requests,"
                        + " or a version for other environments)"));
            }
        }
        return new Selection(List.copyOf(out), List.copyOf(leftOut), station);
    }

    private static boolean local(JsonNode p) {
        JsonNode source = p.path("source");
        return source.has("editable") || source.has("virtual") || source.has("directory");
    }

    private static boolean declaresNothing(JsonNode project) {
        return !project.has("dependencies") && !project.has("optional-dependencies")
                && !project.has("dev-dependencies") && project.path("metadata").path("requires-dist").isEmpty()
                && project.path("metadata").path("requires-dev").isEmpty();
    }

    private static Iterable<JsonNode> edges(JsonNode from, String extra) {
        if (extra == null) {
            return from.path("dependencies");
        }
        for (var e : (Iterable<Map.Entry<String, JsonNode>>) () -> from.path("optional-dependencies").fields()) {
            if (normalize(e.getKey()).equals(extra)) {
                return e.getValue();
            }
        }
        return List.of(); // an extra without dependencies of its own
    }

    /** The package an edge names: by name, then by the version and source the edge gives when the lock has several. */
    private static int target(List<JsonNode> packages, JsonNode from, JsonNode edge) {
        String name = edge.path("name").asText(null);
        if (name == null) {
            throw new BuildFailure("uv.lock: package " + label(from) + " has a dependency without a name");
        }
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < packages.size(); i++) {
            JsonNode p = packages.get(i);
            if (normalize(p.path("name").asText("")).equals(normalize(name))
                    && (!edge.has("version") || edge.path("version").asText().equals(p.path("version").asText()))) {
                candidates.add(i);
            }
        }
        if (candidates.size() > 1 && edge.has("source")) {
            candidates.removeIf(i -> !packages.get(i).path("source").equals(edge.path("source")));
        }
        String wanted = name + (edge.has("version") ? " " + edge.path("version").asText() : "");
        if (candidates.isEmpty()) {
            throw new BuildFailure("uv.lock: package " + label(from) + " depends on " + wanted
                    + ", which the lock does not list");
        }
        if (candidates.size() > 1) {
            throw new BuildFailure("uv.lock: package " + label(from) + " depends on " + wanted
                    + ", which the lock lists " + candidates.size() + " times without saying which");
        }
        return candidates.get(0);
    }

    private static String label(JsonNode p) {
        return p.path("name").asText() + (p.has("version") ? " " + p.path("version").asText() : "");
    }

    private static Locked uvPackage(JsonNode p, String name, String version) {
        JsonNode source = p.path("source");
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
        return new Locked(name, version, hashes, files);
    }

    /**
     * pylock.toml lists each package once per version, with a {@code marker} of when it is installed; markers may
     * test {@code 'x' in dependency_groups}, which on a station holds the lock's {@code default-groups}, and
     * {@code extras}, which is empty.
     */
    static Selection pylock(String text, StationEnvironment station) {
        JsonNode lock = toml("pylock.toml", text);
        Set<String> defaultGroups = new LinkedHashSet<>();
        lock.path("default-groups").forEach(g -> defaultGroups.add(g.asText()));
        StationEnvironment scope = station.withDependencyGroups(defaultGroups);
        List<Locked> out = new ArrayList<>();
        List<LeftOut> leftOut = new ArrayList<>();
        for (JsonNode p : lock.path("packages")) {
            String name = p.path("name").asText(null);
            String version = p.path("version").asText(null);
            String marker = p.path("marker").asText(null);
            if (marker != null && !holds(marker, scope, "pylock.toml: package " + name + " " + version)) {
                leftOut.add(new LeftOut(name, version, marker, falseOn(marker, station)));
                continue;
            }
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
        return new Selection(List.copyOf(out), List.copyOf(leftOut), station);
    }

    /** A requirement's {@code ; marker} (as uv export and pip-compile write them) is evaluated. */
    static Selection requirements(String file, String text, StationEnvironment station) {
        List<Locked> out = new ArrayList<>();
        List<LeftOut> leftOut = new ArrayList<>();
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
            String marker = m.group(4) == null ? null : m.group(4).substring(1).strip();
            if (marker != null && !holds(marker, station, file + " line " + (i + 1) + ": " + m.group(1) + "=="
                    + m.group(3))) {
                leftOut.add(new LeftOut(m.group(1), m.group(3), marker, falseOn(marker, station)));
                continue;
            }
            out.add(new Locked(m.group(1), m.group(3), hashes, Set.of()));
        }
        return new Selection(List.copyOf(out), List.copyOf(leftOut), station);
    }

    private static java.util.Optional<String> hash(String value) {
        return value.startsWith("sha256:") && value.substring(7).matches("[0-9a-fA-F]{64}")
                ? java.util.Optional.of(value.substring(7).toLowerCase(Locale.ROOT)) : java.util.Optional.empty();
    }
}
