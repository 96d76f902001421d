package io.benchline.builds.procedure;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import jakarta.enterprise.context.ApplicationScoped;

import org.yaml.snakeyaml.nodes.Node;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Optional;
import java.util.function.Function;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks {@code procedure.yaml} against the files of the commit. Collects every problem rather than stopping at the
 * first, so one failed build tells the author everything to fix.
 */
@ApplicationScoped
public class ProcedureValidator {
    public static final String FILE = "procedure.yaml";
    static final String DEFAULT_REQUIREMENTS = "requirements.txt";
    static final String DEFAULT_PLATFORM = "any";
    /** The dependency files a TofuPilot-format procedure may lock its packages in, first found wins. */
    static final List<String> LOCK_FILES = List.of("uv.lock", "pylock.toml", "requirements.txt");
    static final Set<String> KNOWN_KEYS = Set.of("name", "runtime", "entry_point", "platform", "requirements");
    private static final Pattern RUNTIME = Pattern.compile("([A-Za-z]+)\\s+(\\d+)\\.(\\d+)");
    private static final Pattern PLATFORM = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final int MIN_PYTHON_MINOR = 8;
    private static final int MAX_PYTHON_MINOR = 13;
    private static final int MAX_NAME_LENGTH = 200;
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The outcome: a spec, or the problems (never both), plus warnings that do not fail the build. */
    public record Result(ProcedureSpec spec, List<String> problems, List<String> warnings) {
        public boolean valid() {
            return spec != null;
        }

        /** One readable sentence for failure_reason. */
        public String failureReason() {
            return FILE + " is invalid: " + String.join("; ", problems);
        }
    }

    /**
     * @param yaml   the file's bytes, or null when the commit has no {@code procedure.yaml} at its root
     * @param exists whether a path (relative, '/') is a regular file of the commit
     */
    public Result validate(byte[] yaml, Predicate<String> exists) {
        return validate(yaml, exists, path -> Optional.empty(), Optional.empty());
    }

    /**
     * As {@link #validate(byte[], Predicate)}, for either format: TofuPilot's (phases, plugs, unit; its runtime
     * resolved by {@link RuntimeResolver} from {@code read}) or the simple one (name, runtime, entry_point).
     *
     * @param read           the text of a file of the commit, empty when it is not there
     * @param defaultPython  the configured default runtime of a TofuPilot-format procedure that declares none
     */
    public Result validate(byte[] yaml, Predicate<String> exists, Function<String, Optional<String>> read,
            Optional<String> defaultPython) {
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        if (yaml == null) {
            problems.add("the repository has no " + FILE + " at its root at this commit");
            return new Result(null, problems, warnings);
        }
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            problems.add("not valid YAML (" + firstLine(e.getOriginalMessage()) + locationOf(e) + ")");
            return new Result(null, problems, warnings);
        } catch (java.io.IOException e) {
            problems.add("cannot be read (" + e.getMessage() + ")");
            return new Result(null, problems, warnings);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            problems.add("the file is empty; it needs at least name, runtime and entry_point");
            return new Result(null, problems, warnings);
        }
        if (!root.isObject()) {
            problems.add("the top level must be a mapping of keys (name, runtime, entry_point, ...)");
            return new Result(null, problems, warnings);
        }
        Node tree;
        try {
            tree = TofuPilotFormat.compose(new String(yaml, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            problems.add("not valid YAML (" + firstLine(e.getMessage()) + ")");
            return new Result(null, problems, warnings);
        }
        if (TofuPilotFormat.isTofuPilot(tree)) {
            return tofuPilot(tree, exists, read, defaultPython);
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KNOWN_KEYS.contains(key)) {
                warnings.add(FILE + ": unknown key '" + key + "' is ignored");
            }
        }

        String name = text(root, "name", problems, true);
        if (name != null && name.length() > MAX_NAME_LENGTH) {
            problems.add("name is longer than " + MAX_NAME_LENGTH + " characters");
        }

        String language = null;
        String version = null;
        String runtime = text(root, "runtime", problems, true);
        if (runtime != null) {
            Matcher m = RUNTIME.matcher(runtime);
            if (!m.matches()) {
                problems.add("runtime '" + runtime + "' must be a language and a version, like \"python 3.11\"");
            } else {
                language = m.group(1).toLowerCase(java.util.Locale.ROOT);
                int major = Integer.parseInt(m.group(2));
                int minor = Integer.parseInt(m.group(3));
                version = major + "." + minor;
                if (!language.equals("python")) {
                    problems.add("runtime language '" + m.group(1) + "' is not supported (only python)");
                } else if (major != 3 || minor < MIN_PYTHON_MINOR || minor > MAX_PYTHON_MINOR) {
                    problems.add("runtime python " + m.group(2) + "." + m.group(3) + " is not supported (python 3."
                            + MIN_PYTHON_MINOR + " to 3." + MAX_PYTHON_MINOR + ")");
                }
            }
        }

        String entryPoint = text(root, "entry_point", problems, true);
        if (entryPoint != null) {
            String path = normalize(entryPoint);
            if (path == null) {
                problems.add("entry_point '" + entryPoint + "' must be a relative path inside the repository");
            } else if (!path.endsWith(".py")) {
                problems.add("entry_point '" + entryPoint + "' must be a .py file");
            } else if (!exists.test(path)) {
                problems.add("entry_point '" + entryPoint + "' does not exist in the repository at this commit");
            } else {
                entryPoint = path;
            }
        }

        String platform = text(root, "platform", problems, false);
        if (platform == null) {
            platform = DEFAULT_PLATFORM;
        } else if (!PLATFORM.matcher(platform).matches()) {
            problems.add("platform '" + platform + "' must be a lower-case word like any, windows-x64 or linux-x64");
        }

        String requirements = text(root, "requirements", problems, false);
        if (requirements != null) {
            String path = normalize(requirements);
            if (path == null) {
                problems.add("requirements '" + requirements + "' must be a relative path inside the repository");
            } else if (!exists.test(path)) {
                problems.add("requirements '" + requirements + "' does not exist in the repository at this commit");
            } else {
                requirements = path;
            }
        } else if (!root.has("requirements") && exists.test(DEFAULT_REQUIREMENTS)) {
            requirements = DEFAULT_REQUIREMENTS;
        }

        if (!problems.isEmpty()) {
            return new Result(null, problems, warnings);
        }
        return new Result(new ProcedureSpec(name, language, version, entryPoint, platform, requirements), problems,
                warnings);
    }

    private static Result tofuPilot(Node tree, Predicate<String> exists, Function<String, Optional<String>> read,
            Optional<String> defaultPython) {
        TofuPilotFormat.Result checked = TofuPilotFormat.check(tree, exists);
        List<String> problems = new ArrayList<>(checked.problems());
        RuntimeResolver.Resolved runtime = RuntimeResolver.resolve(read, defaultPython);
        if (runtime.problem() != null) {
            problems.add(runtime.problem());
        }
        if (!problems.isEmpty()) {
            return new Result(null, problems, List.of());
        }
        String lock = LOCK_FILES.stream().filter(exists).findFirst().orElse(null);
        return new Result(new ProcedureSpec(checked.summary().name(), "python", runtime.version(), null,
                DEFAULT_PLATFORM, lock, ProcedureSpec.TOFUPILOT, runtime.source()), problems, List.of());
    }

    /** A string value; problems for a wrong type, and for a missing one when required. */
    private static String text(JsonNode root, String key, List<String> problems, boolean required) {
        JsonNode node = root.get(key);
        if (node == null || node.isNull()) {
            if (required) {
                problems.add(key + " is required");
            }
            return null;
        }
        if (!node.isValueNode() || node.isBoolean()) {
            problems.add(key + " must be a string");
            return null;
        }
        String value = node.asText().strip();
        if (value.isEmpty()) {
            problems.add(key + " must not be empty");
            return null;
        }
        return value;
    }

    /** {@code ./src/main.py} → {@code src/main.py}; null for absolute paths, backslashes or '..'. */
    static String normalize(String path) {
        String p = path.strip();
        while (p.startsWith("./")) {
            p = p.substring(2);
        }
        if (p.isEmpty() || p.startsWith("/") || p.contains("\\") || p.endsWith("/")) {
            return null;
        }
        for (String segment : p.split("/")) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return null;
            }
        }
        return p;
    }

    static String firstLine(String message) {
        if (message == null) {
            return "syntax error";
        }
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).strip();
    }

    private static String locationOf(JsonProcessingException e) {
        var location = e.getLocation();
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }
}
