package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static io.benchline.cli.Fields.actor;
import static io.benchline.cli.Fields.text;

/**
 * How a rollout reads for a person: the block that {@code rollout status}, {@code create} and the actions print,
 * the table of {@code rollout list} and that of {@code rollout stations}. Stages are numbered from 1 here; the JSON
 * counts from 0.
 */
final class RolloutView {
    /** States after which a rollout never changes again. */
    static final Set<String> FINAL_STATES = Set.of("completed", "aborted", "superseded");
    /** The gate had too few runs by its timeout: nothing advances by itself until an operator decides. */
    static final String NEEDS_ATTENTION = "needs_attention";
    static final int HISTORY_SHOWN = 5;

    private RolloutView() {
    }

    /**
     * The whole status: the rollout's fields, a table of its stages, its gate and verdict (with the canary's and the
     * base's figures) and its last history entries.
     */
    static String block(JsonNode r) {
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);
        String id = text(r, "id", "?");
        String state = text(r, "state", "?");
        field(out, "rollout", id);
        field(out, "procedure", text(r, "procedure_id", "-"));
        field(out, "deployment", text(r, "deployment_id", "-"));
        field(out, "previous deployment", text(r, "previous_deployment_id", "-"));
        field(out, "state", state);
        String attention = text(r, "attention_reason", null);
        if (attention != null) {
            field(out, "needs attention", attention);
        }
        String stage = stage(r, " of ");
        String stations = text(r, "station_count", null);
        field(out, "stage", stage == null || stations == null ? stage : stage + " (" + stations + " stations)");
        String advance = nextAdvance(r, id, state);
        if (advance != null) {
            field(out, "next advance", advance);
        }
        String createdBy = actor(r.path("created_by"), null);
        field(out, "created", text(r, "created_at", "-") + (createdBy == null ? "" : " by " + createdBy));
        String finished = text(r, "finished_at", null);
        if (finished != null) {
            field(out, "finished", finished);
        }
        // MOVED and ACTIVE count the stations up to the stage; STATIONS to ACTUAL the stage's own (a server that
        // does not send them leaves those columns out).
        Table stages = new Table("STAGE", "TARGET", "MOVED", "ACTIVE", "STATIONS", "DESIRED", "STAGED", "ACTUAL",
                "STATE");
        int position = 0;
        for (JsonNode s : r.path("stages")) {
            JsonNode own = s.path("in_stage");
            stages.row(number(s.path("index"), position++), text(s, "target", null), text(s, "moved", null),
                    text(s, "active", null), text(own, "stations", null), text(own, "desired", null),
                    text(own, "staged", null), text(own, "actual", null), text(s, "state", null));
        }
        if (stages.size() > 0) {
            out.print(stages.withoutEmptyColumns(4));
        }
        List<JsonNode> history = new ArrayList<>();
        r.path("history").forEach(history::add);
        gate(out, r, history);
        if (!history.isEmpty()) {
            // The server answers the history newest first.
            int shown = Math.min(HISTORY_SHOWN, history.size());
            out.println(shown == history.size() ? "history:"
                    : "history (last " + HISTORY_SHOWN + " of " + history.size() + "):");
            Table entries = new Table("AT", "ACTION", "STAGE", "BY", "NOTE");
            for (JsonNode e : history.subList(0, shown)) {
                entries.row(text(e, "at", null), text(e, "action", null), number(e.path("stage"), -1),
                        actor(e.path("by"), null), text(e, "note", null));
            }
            out.print(entries);
        }
        out.flush();
        return text.toString();
    }

    /**
     * The health gate: its settings, the verdict (the live one, else the last one the history recorded) and a table of
     * the canary's and the base's figures. Nothing for a rollout without a gate or a verdict.
     */
    private static void gate(PrintWriter out, JsonNode r, List<JsonNode> history) {
        JsonNode gate = r.path("gate");
        if (gate.isObject()) {
            List<String> settings = new ArrayList<>();
            setting(settings, "min runs", text(gate, "min_runs", null));
            setting(settings, "min wait", text(gate, "min_wait", null));
            setting(settings, "timeout", text(gate, "timeout", null));
            setting(settings, "confidence", text(gate, "confidence", null));
            setting(settings, "duration tolerance", text(gate, "duration_tolerance", null));
            field(out, "gate", settings.isEmpty() ? "on (server defaults)" : String.join(", ", settings));
        }
        JsonNode verdict = r.path("verdict");
        String label = "verdict";
        String at = null;
        if (!verdict.isObject()) {
            JsonNode recorded = history.stream().filter(e -> e.path("figures").isObject()).findFirst().orElse(null);
            if (recorded == null) {
                return;
            }
            verdict = recorded.path("figures");
            label = "last verdict";
            at = text(recorded, "at", null);
        }
        String decision = text(verdict, "decision", "?");
        String reason = text(verdict, "reason", null);
        field(out, label, decision + (at == null ? "" : " (at " + at + ")") + (reason == null ? "" : ": " + reason));
        Table figures = new Table("", "RUNS", "FIRST-PASS YIELD", "FAILURE RATE", "ERROR RATE", "MEAN DURATION");
        for (String side : List.of("canary", "base")) {
            JsonNode f = verdict.path(side);
            figures.row(side, text(f, "runs", null), percent(f.path("first_pass_yield")),
                    percent(f.path("failure_rate")), percent(f.path("error_rate")),
                    millis(f.path("mean_duration_ms")));
        }
        out.print(figures);
    }

    private static void setting(List<String> settings, String name, String value) {
        if (value != null) {
            settings.add(name + " " + value);
        }
    }

    /** A share from 0 to 1 as a percent with one decimal ({@code 95.8%}); null when absent. */
    static String percent(JsonNode share) {
        return share.isNumber() ? String.format(Locale.ROOT, "%.1f%%", share.asDouble() * 100) : null;
    }

    /** Milliseconds as a person reads them: {@code 812 ms}, {@code 4.2 s}, {@code 3m 05s}; null when absent. */
    static String millis(JsonNode ms) {
        if (!ms.isNumber()) {
            return null;
        }
        double value = ms.asDouble();
        if (value < 1000) {
            return String.format(Locale.ROOT, "%.0f ms", value);
        }
        if (value < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", value / 1000);
        }
        long seconds = Math.round(value / 1000);
        return seconds < 3600 ? String.format(Locale.ROOT, "%dm %02ds", seconds / 60, seconds % 60)
                : String.format(Locale.ROOT, "%dh %02dm", seconds / 3600, seconds % 3600 / 60);
    }

    /** {@code rollout list}: ID, DEPLOYMENT, STATE, STAGE (i/n), STATIONS, CREATED. */
    static Table list(JsonNode page) {
        Table table = new Table("ID", "DEPLOYMENT", "STATE", "STAGE", "STATIONS", "CREATED");
        for (JsonNode r : page.path("data")) {
            table.row(text(r, "id", null), text(r, "deployment_id", null), text(r, "state", null), stage(r, "/"),
                    text(r, "station_count", null), text(r, "created_at", null));
        }
        return table;
    }

    /**
     * {@code rollout stations}: RANK, STAGE (from 1), STATION, NAME, CANARY, FROM, DESIRED, STAGED, ACTUAL, AGENT
     * (its state), STAGED SINCE.
     */
    static Table stations(List<JsonNode> entries) {
        Table table = new Table("RANK", "STAGE", "STATION", "NAME", "CANARY", "FROM", "DESIRED", "STAGED", "ACTUAL",
                "AGENT", "STAGED SINCE");
        for (JsonNode s : entries) {
            table.row(text(s, "rank", null), number(s.path("stage"), -1), text(s, "station_id", null),
                    text(s, "name", null), s.path("canary").asBoolean() ? "yes" : "no",
                    text(s, "from_deployment_id", null), text(s, "desired_deployment_id", null),
                    text(s, "staged_deployment_id", null), text(s, "actual_deployment_id", null),
                    text(s, "agent_state", null), text(s, "staged_since", null));
        }
        return table;
    }

    /** When the current stage ends: the instant of an automatic advance, or who has to advance it. */
    private static String nextAdvance(JsonNode r, String id, String state) {
        if (NEEDS_ATTENTION.equals(state)) {
            return "none until someone decides (benchline rollout advance|complete|abort " + id + ")";
        }
        String at = text(r, "advance_at", null);
        if (at != null) {
            if (r.path("gate").isObject()) {
                return at + " at the earliest (the gate decides: advance, abort or wait)";
            }
            String wait = text(r, "wait", null);
            return at + " (automatic" + (wait == null ? "" : ", wait " + wait) + ")";
        }
        int stages = r.path("stages").size();
        boolean last = stages > 0 && r.path("stage").asInt(-1) >= stages - 1;
        if ("paused".equals(state)) {
            return "none while paused (benchline rollout resume " + id + ")";
        }
        if ("running".equals(state) && !last) {
            return "by hand (benchline rollout advance " + id + ")";
        }
        return null;
    }

    /** {@code 2 of 3} (separator " of ") or {@code 2/3}: the current stage counted from 1. */
    private static String stage(JsonNode r, String separator) {
        String current = number(r.path("stage"), -1);
        int stages = r.path("stages").size();
        return current == null ? null : stages == 0 ? current : current + separator + stages;
    }

    /** A 0-based index as a person counts, from 1; {@code fallback} (also 0-based) when it is absent. */
    private static String number(JsonNode index, int fallback) {
        int i = index.isIntegralNumber() ? index.asInt() : fallback;
        return i < 0 ? null : String.valueOf(i + 1);
    }

    private static void field(PrintWriter out, String label, String value) {
        out.println(String.format("%-21s%s", label + ":", value == null ? "-" : value));
    }
}
