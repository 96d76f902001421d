package io.benchline.builds.packages;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEP 508 environment markers ({@code sys_platform == 'win32' and python_version < "3.11"}), parsed and evaluated
 * in a {@link StationEnvironment}. {@code and} binds tighter than {@code or}; parentheses group. Either side of a
 * comparison may be the variable, the other is a quoted string. Version variables ({@code python_version},
 * {@code python_full_version}, {@code implementation_version}) compare as PEP 440 versions (release segments,
 * a/b/rc, post and dev releases; {@code .*} wildcards with {@code ==} and {@code !=}; {@code ~=}); the others as
 * strings. {@code in} and {@code not in} test that the left string is part of the right one, except for PEP 751's
 * {@code extras} and {@code dependency_groups}, which are sets. {@code extra} is true for {@code ==} when that extra
 * is requested. A variable whose value is unknown on the station ({@code platform_release}, {@code platform_version})
 * makes every comparison with it false.
 */
public final class Markers {
    private static final Set<String> VERSION_VARIABLES = Set.of("python_version", "python_full_version",
            "implementation_version");
    private static final Set<String> STRING_VARIABLES = Set.of("os_name", "sys_platform", "platform_system",
            "platform_machine", "platform_python_implementation", "implementation_name", "platform_release",
            "platform_version");
    private static final Set<String> SET_VARIABLES = Set.of("extras", "dependency_groups");
    /** Spellings of PEP 345 that the packaging library still accepts. */
    private static final Map<String, String> ALIASES = Map.of("os.name", "os_name", "sys.platform", "sys_platform",
            "platform.version", "platform_version", "platform.machine", "platform_machine",
            "platform.python_implementation", "platform_python_implementation",
            "python_implementation", "platform_python_implementation");
    private static final List<String> OPERATORS = List.of("===", "==", "!=", "<=", ">=", "~=", "<", ">");

    /** A marker that is not PEP 508: the message says what and where. */
    public static final class Invalid extends IllegalArgumentException {
        Invalid(String message) {
            super(message);
        }
    }

    /** A parsed marker. */
    public sealed interface Marker permits AnyOf, AllOf, Comparison {
        boolean test(StationEnvironment station);
    }

    /** {@code a or b or ...}. */
    public record AnyOf(List<Marker> alternatives) implements Marker {
        public boolean test(StationEnvironment station) {
            return alternatives.stream().anyMatch(m -> m.test(station));
        }
    }

    /** {@code a and b and ...}. */
    public record AllOf(List<Marker> parts) implements Marker {
        public boolean test(StationEnvironment station) {
            return parts.stream().allMatch(m -> m.test(station));
        }
    }

    /** {@code variable op 'literal'}, or {@code 'literal' op variable} when {@code variableFirst} is false. */
    public record Comparison(String variable, String operator, String literal, boolean variableFirst)
            implements Marker {
        public boolean test(StationEnvironment station) {
            if (variable.equals("extra")) {
                boolean requested = station.extras().contains(LockFile.normalize(literal));
                return operator.equals("==") == requested;
            }
            if (SET_VARIABLES.contains(variable)) {
                Set<String> set = variable.equals("extras") ? station.extras() : station.dependencyGroups();
                return operator.equals("in") == set.contains(LockFile.normalize(literal));
            }
            Optional<String> value = station.value(variable);
            if (value.isEmpty()) {
                return false; // not known at build time: nothing can be said to match
            }
            String left = variableFirst ? value.get() : literal;
            String right = variableFirst ? literal : value.get();
            return switch (operator) {
                case "in" -> right.contains(left);
                case "not in" -> !right.contains(left);
                case "===" -> left.equals(right);
                default -> VERSION_VARIABLES.contains(variable) ? compareVersions(left, operator, right)
                        : compareStrings(left, operator, right);
            };
        }
    }

    private Markers() {
    }

    /** Parses a marker; {@link Invalid} when it is not PEP 508 or compares in a way that has no meaning. */
    public static Marker parse(String text) {
        Parser parser = new Parser(text);
        Marker marker = parser.or();
        if (parser.peek() != null) {
            throw parser.invalid("unexpected " + parser.peek().describe());
        }
        return marker;
    }

    /** Whether the marker is true on the station; {@link Invalid} when it cannot be read. */
    public static boolean evaluate(String text, StationEnvironment station) {
        return parse(text).test(station);
    }

    private static boolean compareStrings(String left, String operator, String right) {
        int c = left.compareTo(right);
        return switch (operator) {
            case "==" -> c == 0;
            case "!=" -> c != 0;
            case "<" -> c < 0;
            case "<=" -> c <= 0;
            case ">" -> c > 0;
            case ">=" -> c >= 0;
            default -> throw new IllegalStateException(operator);
        };
    }

    private static boolean compareVersions(String left, String operator, String right) {
        if (left.endsWith(".*")) { // a reversed wildcard: == and != are symmetric
            String swap = left;
            left = right;
            right = swap;
        }
        Version l = Version.parse(left).orElse(null);
        if (l == null) {
            return false;
        }
        if (right.endsWith(".*")) {
            boolean prefix = Version.parse(right.substring(0, right.length() - 2)).map(p -> l.startsWith(p.release))
                    .orElse(false);
            return operator.equals("==") == prefix;
        }
        Version r = Version.parse(right).orElse(null);
        if (r == null) {
            return false;
        }
        int c = l.compareTo(r);
        return switch (operator) {
            case "==" -> c == 0;
            case "!=" -> c != 0;
            case "<" -> c < 0;
            case "<=" -> c <= 0;
            case ">" -> c > 0;
            case ">=" -> c >= 0;
            // ~=3.10 means >=3.10 and ==3.*; ~=3.10.2 means >=3.10.2 and ==3.10.*
            case "~=" -> r.release.length >= 2 && c >= 0
                    && l.startsWith(Arrays.copyOf(r.release, r.release.length - 1));
            default -> throw new IllegalStateException(operator);
        };
    }

    /** A PEP 440 version in its normal form: release, then a/b/rc, .post, .dev; a local part is ignored. */
    record Version(int[] release, int preKind, int preNumber, int post, int dev) implements Comparable<Version> {
        private static final Pattern FORM = Pattern.compile("v?(\\d{1,9}(?:\\.\\d{1,9})*)(?:(a|b|rc)(\\d{1,9}))?"
                + "(?:\\.post(\\d{1,9}))?(?:\\.dev(\\d{1,9}))?(?:\\+[a-z0-9.]+)?");

        static Optional<Version> parse(String text) {
            Matcher m = FORM.matcher(text.strip().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                return Optional.empty();
            }
            int[] release = Arrays.stream(m.group(1).split("\\.")).mapToInt(Integer::parseInt).toArray();
            boolean devOnly = m.group(2) == null && m.group(4) == null && m.group(5) != null;
            // A dev release of a final version sorts before its pre-releases, a final version after them.
            int preKind = m.group(2) == null ? (devOnly ? -1 : 3) : List.of("a", "b", "rc").indexOf(m.group(2));
            return Optional.of(new Version(release, preKind, m.group(3) == null ? 0 : Integer.parseInt(m.group(3)),
                    m.group(4) == null ? -1 : Integer.parseInt(m.group(4)),
                    m.group(5) == null ? Integer.MAX_VALUE : Integer.parseInt(m.group(5))));
        }

        /** Whether the release, padded with zeros, starts with these segments. */
        boolean startsWith(int[] prefix) {
            for (int i = 0; i < prefix.length; i++) {
                if ((i < release.length ? release[i] : 0) != prefix[i]) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int compareTo(Version o) {
            for (int i = 0; i < Math.max(release.length, o.release.length); i++) {
                int c = Integer.compare(i < release.length ? release[i] : 0, i < o.release.length ? o.release[i] : 0);
                if (c != 0) {
                    return c;
                }
            }
            int c = Integer.compare(preKind, o.preKind);
            c = c != 0 ? c : Integer.compare(preNumber, o.preNumber);
            c = c != 0 ? c : Integer.compare(post, o.post);
            return c != 0 ? c : Integer.compare(dev, o.dev);
        }
    }

    private record Token(String kind, String text, int at) {
        String describe() {
            return (kind.equals("string") ? "'" + text + "'" : text) + " at character " + (at + 1);
        }
    }

    /** Recursive descent over PEP 508's marker grammar: or := and ('or' and)*; and := atom ('and' atom)*. */
    private static final class Parser {
        private final String text;
        private final List<Token> tokens = new ArrayList<>();
        private int next;

        Parser(String text) {
            this.text = text;
            tokenize();
        }

        Invalid invalid(String why) {
            return new Invalid(why);
        }

        Token peek() {
            return next < tokens.size() ? tokens.get(next) : null;
        }

        private boolean accept(String kind) {
            Token t = peek();
            if (t != null && t.kind.equals(kind)) {
                next++;
                return true;
            }
            return false;
        }

        Marker or() {
            List<Marker> alternatives = new ArrayList<>(List.of(and()));
            while (accept("or")) {
                alternatives.add(and());
            }
            return alternatives.size() == 1 ? alternatives.get(0) : new AnyOf(List.copyOf(alternatives));
        }

        private Marker and() {
            List<Marker> parts = new ArrayList<>(List.of(atom()));
            while (accept("and")) {
                parts.add(atom());
            }
            return parts.size() == 1 ? parts.get(0) : new AllOf(List.copyOf(parts));
        }

        private Marker atom() {
            Token start = peek();
            if (accept("(")) {
                Marker inner = or();
                if (!accept(")")) {
                    throw invalid(peek() == null ? "missing ')' for the '(' at character " + (start.at + 1)
                            : "expected ')' or 'and'/'or', found " + peek().describe());
                }
                return inner;
            }
            Token left = value();
            String operator = operator();
            Token right = value();
            if (left.kind.equals(right.kind)) {
                throw invalid(left.kind.equals("string") ? "'" + left.text + "' " + operator + " '" + right.text
                        + "' compares two strings, not a variable" : left.text + " " + operator + " " + right.text
                        + " compares two variables");
            }
            boolean variableFirst = left.kind.equals("variable");
            return check(new Comparison(variableFirst ? left.text : right.text, operator,
                    variableFirst ? right.text : left.text, variableFirst));
        }

        private Token value() {
            Token t = peek();
            if (t == null) {
                throw invalid("the marker ends where a variable or a quoted string is expected");
            }
            if (!t.kind.equals("variable") && !t.kind.equals("string")) {
                throw invalid("expected a variable or a quoted string, found " + t.describe());
            }
            next++;
            return t;
        }

        private String operator() {
            Token t = peek();
            if (t == null) {
                throw invalid("the marker ends where an operator is expected");
            }
            next++;
            if (t.kind.equals("operator") || t.kind.equals("in")) {
                return t.text;
            }
            if (t.kind.equals("not") && accept("in")) {
                return "not in";
            }
            throw invalid("expected an operator (== != < <= > >= ~= === in, not in), found " + t.describe());
        }

        /** Comparisons that parse but mean nothing are refused here, whether or not they are ever evaluated. */
        private Comparison check(Comparison c) {
            String shown = c.variableFirst ? c.variable + " " + c.operator + " '" + c.literal + "'"
                    : "'" + c.literal + "' " + c.operator + " " + c.variable;
            if (c.variable.equals("extra")) {
                if (!c.operator.equals("==") && !c.operator.equals("!=")) {
                    throw invalid(shown + ": extra is compared with == or != only");
                }
            } else if (SET_VARIABLES.contains(c.variable)) {
                if (c.variableFirst || !(c.operator.equals("in") || c.operator.equals("not in"))) {
                    throw invalid(shown + ": " + c.variable + " is a set, tested with 'name' in " + c.variable
                            + " or 'name' not in " + c.variable);
                }
            } else if (VERSION_VARIABLES.contains(c.variable)) {
                boolean versionOperator = !Set.of("in", "not in", "===").contains(c.operator);
                boolean wildcard = c.literal.endsWith(".*");
                String version = wildcard ? c.literal.substring(0, c.literal.length() - 2) : c.literal;
                if (versionOperator && Version.parse(version).isEmpty()) {
                    throw invalid(shown + ": '" + c.literal + "' is not a version");
                }
                if (versionOperator && wildcard && !c.operator.equals("==") && !c.operator.equals("!=")) {
                    throw invalid(shown + ": a .* wildcard goes with == or != only");
                }
                if (c.operator.equals("~=") && c.variableFirst && Version.parse(version).orElseThrow()
                        .release.length < 2) {
                    throw invalid(shown + ": ~= needs a version of two segments or more, like 3.10");
                }
            } else if (c.operator.equals("~=")) {
                throw invalid(shown + ": ~= compares versions and " + c.variable + " is not one");
            }
            return c;
        }

        private void tokenize() {
            int i = 0;
            while (i < text.length()) {
                char ch = text.charAt(i);
                if (Character.isWhitespace(ch)) {
                    i++;
                } else if (ch == '(' || ch == ')') {
                    tokens.add(new Token(String.valueOf(ch), String.valueOf(ch), i++));
                } else if (ch == '\'' || ch == '"') {
                    int end = text.indexOf(ch, i + 1);
                    if (end < 0) {
                        throw invalid("the string that starts at character " + (i + 1) + " is not closed");
                    }
                    tokens.add(new Token("string", text.substring(i + 1, end), i));
                    i = end + 1;
                } else if (Character.isLetter(ch) || ch == '_') {
                    int end = i;
                    while (end < text.length() && (Character.isLetterOrDigit(text.charAt(end))
                            || text.charAt(end) == '_' || text.charAt(end) == '.')) {
                        end++;
                    }
                    String word = text.substring(i, end);
                    String name = ALIASES.getOrDefault(word, word);
                    if (Set.of("and", "or", "in", "not").contains(word)) {
                        tokens.add(new Token(word, word, i));
                    } else if (VERSION_VARIABLES.contains(name) || STRING_VARIABLES.contains(name)
                            || SET_VARIABLES.contains(name) || name.equals("extra")) {
                        tokens.add(new Token("variable", name, i));
                    } else {
                        throw invalid("unknown variable '" + word + "' at character " + (i + 1));
                    }
                    i = end;
                } else {
                    int at = i;
                    String op = OPERATORS.stream().filter(o -> text.startsWith(o, at)).findFirst()
                            .orElseThrow(() -> invalid("unexpected '" + ch + "' at character " + (at + 1)));
                    tokens.add(new Token("operator", op, i));
                    i += op.length();
                }
            }
            if (tokens.isEmpty()) {
                throw invalid("the marker is empty");
            }
        }
    }
}
