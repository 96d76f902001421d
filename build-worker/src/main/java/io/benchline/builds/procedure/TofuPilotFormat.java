package io.benchline.builds.procedure;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.StringReader;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks a {@code procedure.yaml} in TofuPilot's format (the format of TofuPilot's CLI and its public procedure
 * templates: {@code name}, {@code unit}, {@code plugs}, and {@code setup}/{@code main}/{@code teardown} phases that
 * name Python code) against the files of the commit. Every problem is collected with the line it is on, so one failed
 * build lists everything to fix. The rules and limits follow TofuPilot's published schema (our own reading of it, see
 * the build-worker README): unknown and duplicate keys are refused, names and keys have length limits, keys are
 * Python identifiers (derived from the name when omitted), each phase's and plug's {@code python:} reference resolves
 * to a file of the commit, {@code depends_on} names main phases without a cycle, and timeouts, retries and validators
 * parse and are in range.
 */
final class TofuPilotFormat {
    static final Set<String> TOP = Set.of("id", "name", "version", "description", "execution", "unit", "plugs",
            "setup", "main", "teardown");
    private static final Set<String> PHASE = Set.of("name", "key", "python", "executable", "description",
            "measurements", "ui", "enabled", "result", "depends_on", "timeout", "retry", "then", "scope");
    private static final Set<String> PLUG = Set.of("name", "key", "python", "scope", "description", "config");
    private static final Set<String> MEASUREMENT = Set.of("name", "key", "unit", "validators", "aggregations",
            "description", "title", "x_axis", "y_axis");
    private static final Set<String> VALIDATOR = Set.of("operator", "expected_value", "outcome", "expression");
    private static final Set<String> OPERATORS = Set.of("==", "!=", ">", ">=", "<", "<=", "in", "not in", "matches");
    private static final Set<String> NUMERIC_OPERATORS = Set.of(">", ">=", "<", "<=");
    private static final Set<String> UNIT = Set.of("auto_identify", "serial_number", "part_number", "revision_number",
            "batch_number", "sub_units", "metadata");
    private static final Set<String> UNIT_FIELD = Set.of("default_value", "placeholder", "description", "min_length",
            "max_length", "pattern");
    private static final Set<String> EXECUTION = Set.of("strategy", "workers", "on_first_failure", "slots");
    private static final Set<String> EXECUTABLE = Set.of("command", "shell", "working_directory");
    private static final Set<String> THEN = Set.of("pass", "fail", "error", "timeout");
    private static final Set<String> PHASE_SCOPES = Set.of("slot", "execution", "each", "all", "run");
    private static final Set<String> PLUG_SCOPES = Set.of("slot", "execution", "station", "each", "all", "run");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern METADATA_KEY = Pattern.compile("[A-Za-z0-9_.:+-]{1,40}");
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h)");
    private static final long MAX_TIMEOUT_MS = 24L * 60 * 60 * 1000;
    private static final int MAX_DEPENDENCIES = 100;

    /** What the build needs from a valid file. */
    record Summary(String name, String version, int phases, int plugs) {
    }

    private final List<String> problems = new ArrayList<>();
    private final Predicate<String> exists;

    private TofuPilotFormat(Predicate<String> exists) {
        this.exists = exists;
    }

    /** Whether this document is in TofuPilot's format rather than the simple one (name, runtime, entry_point). */
    static boolean isTofuPilot(Node root) {
        if (!(root instanceof MappingNode map)) {
            return false;
        }
        Set<String> keys = new LinkedHashSet<>();
        map.getValue().forEach(t -> keys.add(keyOf(t)));
        return keys.contains("main") || keys.contains("setup") || keys.contains("teardown") || keys.contains("plugs")
                || (!keys.contains("runtime") && !keys.contains("entry_point") && keys.contains("unit"));
    }

    /** The document as SnakeYAML nodes (with their lines); throws on a syntax error. */
    static Node compose(String yaml) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(true); // reported with their lines below, all at once
        options.setMaxAliasesForCollections(50);
        options.setCodePointLimit(2 * 1024 * 1024);
        return new Yaml(options).compose(new StringReader(yaml));
    }

    /** The problems of a TofuPilot-format document, each starting with its line; the summary when there are none. */
    static Result check(Node root, Predicate<String> exists) {
        TofuPilotFormat f = new TofuPilotFormat(exists);
        Summary summary = f.procedure((MappingNode) root);
        List<String> sorted = new ArrayList<>(f.problems);
        sorted.sort(java.util.Comparator.comparingInt(TofuPilotFormat::lineOf)); // stable: same line keeps its order
        return new Result(f.problems.isEmpty() ? summary : null, List.copyOf(sorted));
    }

    record Result(Summary summary, List<String> problems) {
    }

    private Summary procedure(MappingNode root) {
        Map<String, Node> top = mapping(root, "the procedure", TOP);
        String name = text(top, "name", "name", 1, 100, true, root);
        String version = text(top, "version", "version", 0, 50, false, root);
        text(top, "description", "description", 0, 50_000, false, root);
        text(top, "id", "id", 1, 200, false, root);
        if (top.containsKey("execution")) {
            execution(top.get("execution"));
        }
        if (top.containsKey("unit")) {
            unit(top.get("unit"));
        }
        int plugs = top.containsKey("plugs") ? plugs(top.get("plugs")) : 0;
        List<Phase> setup = phases(top.get("setup"), "setup");
        List<Phase> main = phases(top.get("main"), "main");
        List<Phase> teardown = phases(top.get("teardown"), "teardown");
        if (!top.containsKey("main") || main.isEmpty() && top.get("main") instanceof SequenceNode) {
            problem(top.getOrDefault("main", root), "the procedure has no main phases; at least one is required");
        }
        dependencies(main);
        return new Summary(name, version, setup.size() + main.size() + teardown.size(), plugs);
    }

    private record Phase(String key, Node node, List<String> dependsOn, Node dependsOnNode) {
    }

    private List<Phase> phases(Node node, String group) {
        List<Phase> out = new ArrayList<>();
        if (node == null || isNull(node)) {
            return out;
        }
        if (!(node instanceof SequenceNode list)) {
            problem(node, group + " must be a list of phases");
            return out;
        }
        Map<String, Node> keys = new HashMap<>();
        for (int i = 0; i < list.getValue().size(); i++) {
            Node item = list.getValue().get(i);
            String where = group + "[" + i + "]";
            if (!(item instanceof MappingNode map)) {
                problem(item, where + " must be a mapping (name, python, ...)");
                continue;
            }
            Map<String, Node> phase = mapping(map, where, PHASE);
            String name = text(phase, "name", where + ".name", 1, 100, true, map);
            String label = where + (name == null ? "" : " (" + name + ")");
            String key = key(phase, name, label, map);
            text(phase, "description", label + ".description", 0, 1000, false, map);
            text(phase, "result", label + ".result", 0, 50, false, map);
            bool(phase, "enabled", label);
            if (phase.containsKey("python") && phase.containsKey("executable")) {
                problem(phase.get("executable"), label + " has both python and executable; only one is allowed");
            }
            if (phase.containsKey("python")) {
                python(phase.get("python"), label, false);
            }
            if (phase.containsKey("executable")) {
                executable(phase.get("executable"), label);
            }
            if (phase.containsKey("timeout")) {
                duration(phase.get("timeout"), label + ".timeout", true);
            }
            if (phase.containsKey("retry")) {
                retry(phase.get("retry"), label);
            }
            if (phase.containsKey("then")) {
                then(phase.get("then"), label);
            }
            if (phase.containsKey("scope")) {
                String scope = scalar(phase.get("scope"), label + ".scope");
                if ("station".equals(scope)) {
                    problem(phase.get("scope"), label + ".scope: station is only valid on plugs; use slot or execution");
                } else if (scope != null && !PHASE_SCOPES.contains(scope)) {
                    problem(phase.get("scope"), label + ".scope '" + scope + "' is not one of slot, execution");
                }
            }
            if (phase.containsKey("measurements")) {
                measurements(phase.get("measurements"), label);
            }
            if (phase.containsKey("ui") && !(phase.get("ui") instanceof MappingNode)) {
                problem(phase.get("ui"), label + ".ui must be a mapping (components, requires_input)");
            }
            List<String> dependsOn = new ArrayList<>();
            Node dependsNode = phase.get("depends_on");
            if (dependsNode != null) {
                if (dependsNode instanceof SequenceNode deps) {
                    if (deps.getValue().size() > MAX_DEPENDENCIES) {
                        problem(deps, label + ".depends_on names more than " + MAX_DEPENDENCIES + " phases");
                    }
                    for (Node dep : deps.getValue()) {
                        String d = scalar(dep, label + ".depends_on");
                        if (d != null) {
                            dependsOn.add(d);
                        }
                    }
                } else {
                    problem(dependsNode, label + ".depends_on must be a list of phase keys");
                }
            }
            if (key != null) {
                if (group.equals("main") && keys.containsKey(key)) {
                    problem(map, label + ": phase key '" + key + "' is used twice in main (line "
                            + line(keys.get(key)) + "); every main phase needs its own key");
                }
                keys.putIfAbsent(key, map);
                out.add(new Phase(key, map, dependsOn, dependsNode));
            }
        }
        return out;
    }

    /** Main phases' {@code depends_on}: known keys, no phase depending on itself, no cycle. */
    private void dependencies(List<Phase> main) {
        Map<String, Phase> byKey = new LinkedHashMap<>();
        main.forEach(p -> byKey.putIfAbsent(p.key(), p));
        for (Phase p : main) {
            for (String dep : p.dependsOn()) {
                if (dep.equals(p.key())) {
                    problem(p.dependsOnNode(), "main phase '" + p.key() + "' depends on itself");
                } else if (!byKey.containsKey(dep)) {
                    problem(p.dependsOnNode(), "main phase '" + p.key() + "' depends on unknown phase '" + dep
                            + "' (main phases: " + String.join(", ", byKey.keySet()) + ")");
                }
            }
        }
        // Depth-first search; a back edge is a cycle, reported once with its path.
        Map<String, Integer> state = new HashMap<>();
        for (String start : byKey.keySet()) {
            List<String> path = new ArrayList<>();
            if (cycle(start, byKey, state, path)) {
                problem(byKey.get(path.get(0)).dependsOnNode(), "depends_on forms a cycle: " + String.join(" -> ", path));
                return;
            }
        }
    }

    private static boolean cycle(String key, Map<String, Phase> byKey, Map<String, Integer> state, List<String> path) {
        Integer s = state.get(key);
        if (s != null && s == 2) {
            return false;
        }
        if (s != null && s == 1) {
            int from = path.indexOf(key);
            List<String> loop = new ArrayList<>(path.subList(from, path.size()));
            loop.add(key);
            path.clear();
            path.addAll(loop);
            return true;
        }
        state.put(key, 1);
        path.add(key);
        for (String dep : byKey.get(key).dependsOn()) {
            if (byKey.containsKey(dep) && !dep.equals(key) && cycle(dep, byKey, state, path)) {
                return true;
            }
        }
        path.remove(path.size() - 1);
        state.put(key, 2);
        return false;
    }

    private int plugs(Node node) {
        if (isNull(node)) {
            return 0;
        }
        if (!(node instanceof SequenceNode list)) {
            problem(node, "plugs must be a list");
            return 0;
        }
        Map<String, String> keys = new HashMap<>();
        for (int i = 0; i < list.getValue().size(); i++) {
            Node item = list.getValue().get(i);
            String where = "plugs[" + i + "]";
            if (!(item instanceof MappingNode map)) {
                problem(item, where + " must be a mapping (name, python, ...)");
                continue;
            }
            Map<String, Node> plug = mapping(map, where, PLUG);
            String name = text(plug, "name", where + ".name", 1, 100, true, map);
            String label = where + (name == null ? "" : " (" + name + ")");
            String key = key(plug, name, label, map);
            text(plug, "description", label + ".description", 0, 50_000, false, map);
            if (!plug.containsKey("python")) {
                problem(map, label + ".python is required (module:Class)");
            } else {
                python(plug.get("python"), label, true);
            }
            if (plug.containsKey("scope")) {
                String scope = scalar(plug.get("scope"), label + ".scope");
                if (scope != null && !PLUG_SCOPES.contains(scope)) {
                    problem(plug.get("scope"), label + ".scope '" + scope + "' is not one of slot, execution, station");
                }
            }
            if (plug.containsKey("config") && !(plug.get("config") instanceof MappingNode) && !isNull(plug.get("config"))) {
                problem(plug.get("config"), label + ".config must be a mapping of keyword arguments");
            }
            if (key != null) {
                String folded = key.toLowerCase(Locale.ROOT);
                if (keys.containsKey(folded)) {
                    problem(map, label + ": plug key '" + key + "' is also the key of " + keys.get(folded)
                            + " (plug keys are compared without case); set an explicit key");
                }
                keys.putIfAbsent(folded, label);
            }
        }
        return list.getValue().size();
    }

    private void measurements(Node node, String phase) {
        if (isNull(node)) {
            return;
        }
        if (!(node instanceof SequenceNode list)) {
            problem(node, phase + ".measurements must be a list");
            return;
        }
        for (int i = 0; i < list.getValue().size(); i++) {
            Node item = list.getValue().get(i);
            String where = phase + ".measurements[" + i + "]";
            if (!(item instanceof MappingNode map)) {
                problem(item, where + " must be a mapping (name, unit, validators, ...)");
                continue;
            }
            Map<String, Node> m = mapping(map, where, MEASUREMENT);
            String name = text(m, "name", where + ".name", 1, 100, true, map);
            String label = where + (name == null ? "" : " (" + name + ")");
            key(m, name, label, map);
            text(m, "unit", label + ".unit", 0, 50, false, map);
            text(m, "description", label + ".description", 0, 50_000, false, map);
            text(m, "title", label + ".title", 0, 200, false, map);
            if (m.containsKey("validators")) {
                validators(m.get("validators"), label);
            }
            if (m.containsKey("aggregations") && !(m.get("aggregations") instanceof SequenceNode)
                    && !isNull(m.get("aggregations"))) {
                problem(m.get("aggregations"), label + ".aggregations must be a list");
            }
        }
    }

    private void validators(Node node, String measurement) {
        if (isNull(node)) {
            return;
        }
        if (!(node instanceof SequenceNode list)) {
            problem(node, measurement + ".validators must be a list");
            return;
        }
        for (int i = 0; i < list.getValue().size(); i++) {
            Node item = list.getValue().get(i);
            String where = measurement + ".validators[" + i + "]";
            if (!(item instanceof MappingNode map)) {
                problem(item, where + " must be a mapping (operator, expected_value)");
                continue;
            }
            Map<String, Node> v = mapping(map, where, VALIDATOR);
            String operator = v.containsKey("operator") ? scalar(v.get("operator"), where + ".operator") : null;
            if (!v.containsKey("operator")) {
                problem(map, where + ".operator is required (==, !=, >, >=, <, <=, in, not in, matches)");
            } else if (operator != null && !OPERATORS.contains(operator)) {
                problem(v.get("operator"), where + ".operator '" + operator
                        + "' is not one of ==, !=, >, >=, <, <=, in, not in, matches");
            }
            Node expected = v.get("expected_value");
            if (expected == null) {
                problem(map, where + ".expected_value is required");
            } else if (operator != null) {
                if (NUMERIC_OPERATORS.contains(operator) && !isNumber(expected)) {
                    problem(expected, where + ": '" + operator + "' needs a number as expected_value");
                } else if ((operator.equals("in") || operator.equals("not in")) && !(expected instanceof SequenceNode)) {
                    problem(expected, where + ": '" + operator + "' needs a list as expected_value");
                } else if (operator.equals("matches")) {
                    if (!(expected instanceof ScalarNode s) || isNull(expected)) {
                        problem(expected, where + ": 'matches' needs a regular expression as expected_value");
                    } else {
                        try {
                            Pattern.compile(s.getValue());
                        } catch (PatternSyntaxException e) {
                            problem(expected, where + ": expected_value is not a valid regular expression ("
                                    + e.getDescription() + ")");
                        }
                    }
                }
            }
            if (v.containsKey("outcome")) {
                String outcome = scalar(v.get("outcome"), where + ".outcome");
                if (outcome != null && !Set.of("PASS", "FAIL", "UNSET").contains(outcome.toUpperCase(Locale.ROOT))) {
                    problem(v.get("outcome"), where + ".outcome '" + outcome + "' is not PASS, FAIL or UNSET");
                }
            }
        }
    }

    private void execution(Node node) {
        if (!(node instanceof MappingNode map)) {
            problem(node, "execution must be a mapping (strategy, workers, on_first_failure, slots)");
            return;
        }
        Map<String, Node> e = mapping(map, "execution", EXECUTION);
        oneOf(e, "strategy", "execution.strategy", Set.of("phase_first", "slot_first"));
        oneOf(e, "on_first_failure", "execution.on_first_failure", Set.of("stop", "continue"));
        if (e.containsKey("workers")) {
            Long workers = integer(e.get("workers"), "execution.workers");
            if (workers != null && (workers < 1 || workers > 256)) {
                problem(e.get("workers"), "execution.workers " + workers + " is not between 1 and 256");
            }
        }
        if (e.containsKey("slots")) {
            if (e.get("slots") instanceof SequenceNode slots) {
                for (int i = 0; i < slots.getValue().size(); i++) {
                    Node slot = slots.getValue().get(i);
                    if (slot instanceof MappingNode s) {
                        Map<String, Node> fields = mapping(s, "execution.slots[" + i + "]", Set.of("name", "key"));
                        text(fields, "name", "execution.slots[" + i + "].name", 1, 50, true, s);
                        text(fields, "key", "execution.slots[" + i + "].key", 1, 50, false, s);
                    } else {
                        problem(slot, "execution.slots[" + i + "] must be a mapping (name, key)");
                    }
                }
            } else if (!isNull(e.get("slots"))) {
                problem(e.get("slots"), "execution.slots must be a list");
            }
        }
    }

    private void unit(Node node) {
        if (isNull(node)) {
            return;
        }
        if (!(node instanceof MappingNode map)) {
            problem(node, "unit must be a mapping (serial_number, part_number, ...)");
            return;
        }
        Map<String, Node> u = mapping(map, "unit", UNIT);
        Boolean auto = bool(u, "auto_identify", "unit");
        for (String field : List.of("serial_number", "part_number", "revision_number", "batch_number")) {
            if (u.containsKey(field)) {
                Map<String, Node> config = unitField(u.get(field), "unit." + field);
                boolean hasDefault = config != null && config.containsKey("default_value")
                        && config.get("default_value") instanceof ScalarNode s && !s.getValue().isBlank();
                if (Boolean.TRUE.equals(auto) && (field.equals("serial_number") || field.equals("part_number"))
                        && !hasDefault) {
                    problem(u.get(field), "unit.auto_identify needs unit." + field + ".default_value");
                }
            } else if (Boolean.TRUE.equals(auto) && (field.equals("serial_number") || field.equals("part_number"))) {
                problem(map, "unit.auto_identify needs unit." + field + ".default_value");
            }
        }
        if (u.containsKey("metadata")) {
            Node metadata = u.get("metadata");
            if (metadata instanceof MappingNode m) {
                if (m.getValue().size() > 50) {
                    problem(m, "unit.metadata has " + m.getValue().size() + " keys; at most 50 are allowed");
                }
                for (NodeTuple t : m.getValue()) {
                    String key = keyOf(t);
                    if (!METADATA_KEY.matcher(key).matches()) {
                        problem(t.getKeyNode(), "unit.metadata key '" + key
                                + "' must be 1 to 40 letters, digits or _ . : + -");
                    }
                    unitField(t.getValueNode(), "unit.metadata." + key);
                }
            } else if (!isNull(metadata)) {
                problem(metadata, "unit.metadata must be a mapping of field names to fields");
            }
        }
        if (u.containsKey("sub_units")) {
            Node subUnits = u.get("sub_units");
            if (subUnits instanceof SequenceNode list) {
                if (list.getValue().isEmpty()) {
                    problem(list, "unit.sub_units must have at least one item");
                }
                Set<String> keys = new java.util.HashSet<>();
                for (int i = 0; i < list.getValue().size(); i++) {
                    Node item = list.getValue().get(i);
                    String where = "unit.sub_units[" + i + "]";
                    if (!(item instanceof MappingNode s)) {
                        problem(item, where + " must be a mapping (label, key, serial_number)");
                        continue;
                    }
                    Map<String, Node> sub = mapping(s, where, Set.of("label", "key", "serial_number"));
                    String label = text(sub, "label", where + ".label", 1, 100, true, s);
                    String key = sub.containsKey("key") ? scalar(sub.get("key"), where + ".key")
                            : label == null ? null : identifierFrom(label);
                    if (key != null && !IDENTIFIER.matcher(key).matches()) {
                        problem(sub.getOrDefault("key", s), where + ": key '" + key + "' is not a Python identifier");
                    } else if (key != null && !keys.add(key.toLowerCase(Locale.ROOT))) {
                        problem(s, where + ": sub-unit key '" + key + "' is used twice");
                    }
                    if (sub.containsKey("serial_number")) {
                        unitField(sub.get("serial_number"), where + ".serial_number");
                    }
                }
            } else if (!isNull(subUnits)) {
                problem(subUnits, "unit.sub_units must be a list");
            }
        }
    }

    private Map<String, Node> unitField(Node node, String where) {
        if (isNull(node)) {
            return Map.of();
        }
        if (!(node instanceof MappingNode map)) {
            problem(node, where + " must be a mapping (default_value, placeholder, pattern, ...)");
            return null;
        }
        Map<String, Node> field = mapping(map, where, UNIT_FIELD);
        for (String length : List.of("min_length", "max_length")) {
            if (field.containsKey(length)) {
                Long n = integer(field.get(length), where + "." + length);
                if (n != null && n < 0) {
                    problem(field.get(length), where + "." + length + " must not be negative");
                }
            }
        }
        if (field.get("pattern") instanceof ScalarNode p && !isNull(p)) {
            try {
                Pattern.compile(p.getValue());
            } catch (PatternSyntaxException e) {
                problem(p, where + ".pattern is not a valid regular expression (" + e.getDescription() + ")");
            }
        }
        return field;
    }

    private void executable(Node node, String phase) {
        if (!(node instanceof MappingNode map)) {
            problem(node, phase + ".executable must be a mapping (command, shell, working_directory)");
            return;
        }
        Map<String, Node> e = mapping(map, phase + ".executable", EXECUTABLE);
        text(e, "command", phase + ".executable.command", 1, 10_000, true, map);
        text(e, "shell", phase + ".executable.shell", 0, 500, false, map);
        text(e, "working_directory", phase + ".executable.working_directory", 0, 4096, false, map);
    }

    private void retry(Node node, String phase) {
        if (!(node instanceof MappingNode map)) {
            problem(node, phase + ".retry must be a mapping (limit, delay)");
            return;
        }
        Map<String, Node> r = mapping(map, phase + ".retry", Set.of("limit", "delay"));
        if (!r.containsKey("limit")) {
            problem(map, phase + ".retry.limit is required (1 to 10)");
        } else {
            Long limit = integer(r.get("limit"), phase + ".retry.limit");
            if (limit != null && (limit < 1 || limit > 10)) {
                problem(r.get("limit"), phase + ".retry.limit " + limit + " is not between 1 and 10");
            }
        }
        if (r.containsKey("delay")) {
            duration(r.get("delay"), phase + ".retry.delay", false);
        }
    }

    private void then(Node node, String phase) {
        if (!(node instanceof MappingNode map)) {
            problem(node, phase + ".then must be a mapping (pass, fail, error, timeout)");
            return;
        }
        Map<String, Node> t = mapping(map, phase + ".then", THEN);
        for (String outcome : THEN) {
            oneOf(t, outcome, phase + ".then." + outcome, Set.of("continue", "stop", "retry"));
        }
    }

    /** {@code python:} of a phase ({@code module[.sub]} or {@code path[:callable]}) or of a plug ({@code module:Class}). */
    private void python(Node node, String owner, boolean plug) {
        String spec = scalar(node, owner + ".python");
        if (spec == null) {
            return;
        }
        Reference ref = reference(spec);
        if (ref.problem() != null) {
            problem(node, owner + ".python '" + spec + "': " + ref.problem());
            return;
        }
        if (plug && !spec.contains(":")) {
            problem(node, owner + ".python '" + spec + "' must name the class, like plugs.psu:PowerSupply");
            return;
        }
        if (!exists.test(ref.file())) {
            problem(node, owner + ".python '" + spec + "': " + ref.file() + " is not in the repository at this commit"
                    + (plug || spec.contains(":") || !spec.contains(".") ? ""
                    : suggestion(spec)));
        }
    }

    private String suggestion(String spec) {
        int dot = spec.lastIndexOf('.');
        String module = spec.substring(0, dot);
        String file = module.replace('.', '/') + ".py";
        return exists.test(file) ? " (did you mean " + module + ":" + spec.substring(dot + 1) + "?)" : "";
    }

    /** A resolved reference: the file it names (relative, '/'), the callable, or why it is not one. */
    record Reference(String file, String callable, String problem) {
    }

    static Reference reference(String spec) {
        String path = spec.strip();
        String callable = null;
        int colon = path.indexOf(':');
        if (colon >= 0) {
            if (path.indexOf(':', colon + 1) >= 0) {
                return new Reference(null, null, "too many ':' separators");
            }
            callable = path.substring(colon + 1).strip();
            path = path.substring(0, colon).strip();
            if (callable.isEmpty()) {
                return new Reference(null, null, "nothing after ':' (name a function or class)");
            }
        }
        if (path.isEmpty()) {
            return new Reference(null, null, "names no module");
        }
        String file;
        if (path.contains("/") || path.contains("\\")) {
            if (path.contains("\\")) {
                return new Reference(null, null, "use '/' in paths");
            }
            file = path.endsWith(".py") ? path : path + ".py";
            if (callable == null) {
                return new Reference(null, null, "a file path needs ':' and the function's name, like "
                        + path + ":main");
            }
        } else {
            for (String segment : path.split("\\.", -1)) {
                if (!IDENTIFIER.matcher(segment).matches()) {
                    return new Reference(null, null, "'" + segment + "' is not a Python module name");
                }
            }
            file = path.replace('.', '/') + ".py";
            if (callable == null) {
                callable = path.substring(path.lastIndexOf('.') + 1);
            }
        }
        String normalized = ProcedureValidator.normalize(file);
        if (normalized == null) {
            return new Reference(null, null, "must name a file inside the repository");
        }
        if (!IDENTIFIER.matcher(callable).matches()) {
            return new Reference(null, null, "'" + callable + "' is not a Python identifier");
        }
        return new Reference(normalized, callable, null);
    }

    /** The node's key: given (must be an identifier of at most 100 characters) or derived from the name. */
    private String key(Map<String, Node> fields, String name, String where, Node owner) {
        if (fields.containsKey("key")) {
            String key = text(fields, "key", where + ".key", 1, 100, false, owner);
            if (key != null && !IDENTIFIER.matcher(key).matches()) {
                problem(fields.get("key"), where + ".key '" + key + "' is not a Python identifier"
                        + " (letters, digits and _, not starting with a digit)");
                return null;
            }
            return key;
        }
        if (name == null) {
            return null;
        }
        String derived = identifierFrom(name);
        if (derived.isEmpty()) {
            problem(owner, where + ": no key can be derived from the name '" + name + "'; set key");
            return null;
        }
        return derived;
    }

    /** TofuPilot's key derivation: lower case, accents dropped, spaces and '-' to '_', other characters removed. */
    static String identifierFrom(String name) {
        String ascii = Normalizer.normalize(name.strip().toLowerCase(Locale.ROOT), Normalizer.Form.NFD)
                .replaceAll("\\p{M}", "");
        String key = ascii.replaceAll("[\\s-]+", "_").replaceAll("[^a-z0-9_]", "").replaceAll("_+", "_")
                .replaceAll("^_|_$", "");
        return !key.isEmpty() && Character.isDigit(key.charAt(0)) ? "_" + key : key;
    }

    /** A duration: an integer of milliseconds or a string like 500ms, 30s, 5m, 1h30m. */
    private void duration(Node node, String where, boolean bounded) {
        if (!(node instanceof ScalarNode s) || isNull(node)) {
            problem(node, where + " must be a duration like 30s, 5m or 1h30m (or milliseconds)");
            return;
        }
        String value = s.getValue().strip().replace(" ", "");
        long ms;
        if (value.matches("\\d+")) {
            ms = Long.parseLong(value);
        } else {
            Matcher m = DURATION_PART.matcher(value);
            int at = 0;
            ms = 0;
            while (m.find() && m.start() == at) {
                long n = Long.parseLong(m.group(1));
                ms += switch (m.group(2)) {
                    case "ms" -> n;
                    case "s" -> n * 1000;
                    case "m" -> n * 60_000;
                    default -> n * 3_600_000;
                };
                at = m.end();
            }
            if (at != value.length() || value.isEmpty()) {
                problem(node, where + " '" + s.getValue() + "' is not a duration (units ms, s, m, h: 30s, 5m, 1h30m)");
                return;
            }
        }
        if (ms == 0) {
            problem(node, where + " must not be zero");
        } else if (bounded && ms > MAX_TIMEOUT_MS) {
            problem(node, where + " '" + s.getValue() + "' is longer than 24h");
        }
    }

    // ---- generic helpers --------------------------------------------------------------------------------------

    /** The mapping's fields by key; unknown and repeated keys are problems. */
    private Map<String, Node> mapping(MappingNode map, String where, Set<String> known) {
        Map<String, Node> fields = new LinkedHashMap<>();
        for (NodeTuple t : map.getValue()) {
            String key = keyOf(t);
            if (fields.containsKey(key)) {
                problem(t.getKeyNode(), where + ": key '" + key + "' appears twice (first on line "
                        + line(keyNodeOf(map, key)) + ")");
                continue;
            }
            if (!known.contains(key)) {
                problem(t.getKeyNode(), where + ": unknown key '" + key + "' (known: "
                        + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
            fields.put(key, t.getValueNode());
        }
        return fields;
    }

    private static Node keyNodeOf(MappingNode map, String key) {
        return map.getValue().stream().filter(t -> keyOf(t).equals(key)).findFirst().map(NodeTuple::getKeyNode)
                .orElse(map);
    }

    private static String keyOf(NodeTuple t) {
        return t.getKeyNode() instanceof ScalarNode s ? s.getValue() : "<" + t.getKeyNode().getNodeId() + ">";
    }

    private String text(Map<String, Node> fields, String key, String where, int min, int max, boolean required,
            Node owner) {
        Node node = fields.get(key);
        if (node == null || isNull(node)) {
            if (required) {
                problem(node == null ? owner : node, where + " is required");
            }
            return null;
        }
        String value = scalar(node, where);
        if (value == null) {
            return null;
        }
        value = value.strip();
        if (value.length() < min) {
            problem(node, where + " must not be empty");
            return null;
        }
        if (value.length() > max) {
            problem(node, where + " is longer than " + max + " characters (" + value.length() + ")");
            return null;
        }
        return value;
    }

    private String scalar(Node node, String where) {
        if (!(node instanceof ScalarNode s)) {
            problem(node, where + " must be a single value, not a " + (node instanceof SequenceNode ? "list" : "mapping"));
            return null;
        }
        return s.getValue();
    }

    private Boolean bool(Map<String, Node> fields, String key, String where) {
        Node node = fields.get(key);
        if (node == null) {
            return null;
        }
        if (!(node instanceof ScalarNode s) || !Tag.BOOL.equals(s.getTag())) {
            problem(node, where + "." + key + " must be true or false");
            return null;
        }
        return Boolean.parseBoolean(s.getValue().toLowerCase(Locale.ROOT));
    }

    private Long integer(Node node, String where) {
        if (!(node instanceof ScalarNode s) || !Tag.INT.equals(s.getTag())) {
            problem(node, where + " must be a whole number");
            return null;
        }
        try {
            return Long.parseLong(s.getValue().replace("_", ""));
        } catch (NumberFormatException e) {
            problem(node, where + " must be a whole number");
            return null;
        }
    }

    private void oneOf(Map<String, Node> fields, String key, String where, Set<String> allowed) {
        if (!fields.containsKey(key)) {
            return;
        }
        String value = scalar(fields.get(key), where);
        if (value != null && !allowed.contains(value)) {
            problem(fields.get(key), where + " '" + value + "' is not one of "
                    + String.join(", ", new java.util.TreeSet<>(allowed)));
        }
    }

    private static boolean isNumber(Node node) {
        return node instanceof ScalarNode s && (Tag.INT.equals(s.getTag()) || Tag.FLOAT.equals(s.getTag()));
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode s && Tag.NULL.equals(s.getTag());
    }

    private static int line(Node node) {
        return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    private static int lineOf(String problem) {
        int space = problem.indexOf(':');
        try {
            return Integer.parseInt(problem.substring("line ".length(), space));
        } catch (RuntimeException e) {
            return Integer.MAX_VALUE;
        }
    }

    private void problem(Node node, String message) {
        problems.add("line " + line(node) + ": " + message);
    }
}
