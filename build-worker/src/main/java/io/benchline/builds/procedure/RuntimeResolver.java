package io.benchline.builds.procedure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves the Python version a procedure runs on from the files of its commit, first found wins:
 * <ol>
 *   <li>{@code .python-version} (uv's and pyenv's pin: {@code 3.11}, {@code 3.11.7}, {@code cpython-3.11.7...}),</li>
 *   <li>{@code uv.lock}'s {@code requires-python},</li>
 *   <li>{@code pyproject.toml}'s {@code [project] requires-python},</li>
 *   <li>the configured default ({@code benchline.build.default-python}), named in the build log,</li>
 * </ol>
 * else the build fails saying so. A specifier ({@code >=3.10,<3.13}) resolves to the newest supported minor version
 * (3.8 to 3.13) it allows, as uv picks the newest interpreter that fits; one that allows none is a problem.
 */
public final class RuntimeResolver {
    public static final int MIN_MINOR = 8;
    public static final int MAX_MINOR = 13;
    private static final Pattern PIN = Pattern.compile("^(?:cpython-|python)?(\\d+)\\.(\\d+)(?:\\.\\d+)?\\b.*");
    private static final Pattern CLAUSE = Pattern.compile("\\s*(===|==|!=|~=|<=|>=|<|>)\\s*([0-9][0-9.]*(?:\\.\\*)?)\\s*");
    private static final TomlMapper TOML = new TomlMapper();

    /** The resolved minor version ({@code 3.11}) and where it came from, or why there is none. */
    public record Resolved(String version, String source, String problem) {
    }

    private RuntimeResolver() {
    }

    /**
     * @param read the text of a file of the commit (relative path), empty when it is not there
     * @param defaultVersion the configured default ({@code 3.11}), empty for none
     */
    public static Resolved resolve(Function<String, Optional<String>> read, Optional<String> defaultVersion) {
        Optional<String> pin = read.apply(".python-version");
        if (pin.isPresent()) {
            for (String line : pin.get().split("\\R")) {
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                Matcher m = PIN.matcher(l);
                if (!m.matches()) {
                    return new Resolved(null, ".python-version", ".python-version names '" + l
                            + "', not a CPython version like 3.11");
                }
                return supported(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), ".python-version");
            }
        }
        for (String[] source : new String[][] {{"uv.lock", "/requires-python"},
                {"pyproject.toml", "/project/requires-python"}}) {
            Optional<String> text = read.apply(source[0]);
            if (text.isEmpty()) {
                continue;
            }
            JsonNode tree;
            try {
                tree = TOML.readTree(text.get());
            } catch (IOException e) {
                return new Resolved(null, source[0], source[0] + " is not valid TOML (" + ProcedureValidator.firstLine(e.getMessage())
                        + ")");
            }
            JsonNode spec = tree.at(source[1]);
            if (spec.isMissingNode() || spec.isNull()) {
                continue;
            }
            if (!spec.isTextual()) {
                return new Resolved(null, source[0], source[0] + ": requires-python must be a string");
            }
            return fromSpecifier(spec.asText(), source[0] + " requires-python");
        }
        if (defaultVersion.isPresent() && !defaultVersion.get().isBlank()) {
            Matcher m = PIN.matcher(defaultVersion.get().strip());
            if (m.matches()) {
                return supported(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                        "the configured default (benchline.build.default-python)");
            }
        }
        return new Resolved(null, null, "no Python version is declared: add .python-version, or requires-python"
                + " to pyproject.toml (or uv.lock), e.g. requires-python = \">=3.11\"");
    }

    private static Resolved supported(int major, int minor, String source) {
        if (major != 3 || minor < MIN_MINOR || minor > MAX_MINOR) {
            return new Resolved(null, source, source + " asks for Python " + major + "." + minor
                    + ", which stations do not run (3." + MIN_MINOR + " to 3." + MAX_MINOR + ")");
        }
        return new Resolved("3." + minor, source, null);
    }

    /** The newest supported 3.x a PEP 440 specifier allows (any patch release of it counts). */
    static Resolved fromSpecifier(String specifier, String source) {
        List<String[]> clauses = new ArrayList<>();
        for (String part : specifier.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            Matcher m = CLAUSE.matcher(part);
            if (!m.matches()) {
                return new Resolved(null, source, source + " '" + specifier + "' is not a version specifier like"
                        + " >=3.11 or >=3.10,<3.13");
            }
            clauses.add(new String[] {m.group(1), m.group(2)});
        }
        if (clauses.isEmpty()) {
            return new Resolved(null, source, source + " is empty");
        }
        for (int minor = MAX_MINOR; minor >= MIN_MINOR; minor--) {
            for (int patch = 0; patch < 100; patch++) {
                int[] candidate = {3, minor, patch};
                if (clauses.stream().allMatch(c -> allows(c[0], c[1], candidate))) {
                    return new Resolved("3." + minor, source, null);
                }
            }
        }
        return new Resolved(null, source, source + " '" + specifier + "' allows no Python that stations run (3."
                + MIN_MINOR + " to 3." + MAX_MINOR + ")");
    }

    private static boolean allows(String operator, String version, int[] candidate) {
        boolean wildcard = version.endsWith(".*");
        int[] v = parse(wildcard ? version.substring(0, version.length() - 2) : version);
        return switch (operator) {
            case "==", "===" -> wildcard ? prefix(candidate, v) : compare(candidate, v) == 0;
            case "!=" -> wildcard ? !prefix(candidate, v) : compare(candidate, v) != 0;
            case ">=" -> compare(candidate, v) >= 0;
            case ">" -> compare(candidate, v) > 0;
            case "<=" -> compare(candidate, v) <= 0;
            case "<" -> compare(candidate, v) < 0;
            // ~=3.11 means >=3.11, ==3.*; ~=3.11.2 means >=3.11.2, ==3.11.*
            case "~=" -> compare(candidate, v) >= 0 && prefix(candidate, java.util.Arrays.copyOf(v, Math.max(1, v.length - 1)));
            default -> false;
        };
    }

    private static int[] parse(String version) {
        String[] parts = version.split("\\.");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = parts[i].isEmpty() ? 0 : Integer.parseInt(parts[i].length() > 6 ? "999999" : parts[i]);
        }
        return out;
    }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            int x = i < a.length ? a[i] : 0;
            int y = i < b.length ? b[i] : 0;
            if (x != y) {
                return Integer.compare(x, y);
            }
        }
        return 0;
    }

    private static boolean prefix(int[] candidate, int[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if ((i < candidate.length ? candidate[i] : 0) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
