package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static io.benchline.cli.Fields.actor;
import static io.benchline.cli.Fields.text;

/**
 * How a rollout reads for a person: the block that {@code rollout status}, {@code create} and the actions print,
 * and the table of {@code rollout list}. Stages are numbered from 1 here; the JSON counts from 0.
 */
final class RolloutView {
    /** States after which a rollout never changes again. */
    static final Set<String> FINAL_STATES = Set.of("completed", "aborted", "superseded");
    static final int HISTORY_SHOWN = 5;

    private RolloutView() {
    }

    /** The whole status: the rollout's fields, a table of its stages and its last history entries. */
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
        Table stages = new Table("STAGE", "TARGET", "MOVED", "ACTIVE", "STATE");
        int position = 0;
        for (JsonNode s : r.path("stages")) {
            stages.row(number(s.path("index"), position++), text(s, "target", null), text(s, "moved", null),
                    text(s, "active", null), text(s, "state", null));
        }
        if (stages.size() > 0) {
            out.print(stages);
        }
        List<JsonNode> history = new ArrayList<>();
        r.path("history").forEach(history::add);
        if (!history.isEmpty()) {
            int from = Math.max(0, history.size() - HISTORY_SHOWN);
            out.println(from == 0 ? "history:" : "history (last " + HISTORY_SHOWN + " of " + history.size() + "):");
            Table entries = new Table("AT", "ACTION", "STAGE", "BY", "NOTE");
            for (JsonNode e : history.subList(from, history.size())) {
                entries.row(text(e, "at", null), text(e, "action", null), number(e.path("stage"), -1),
                        actor(e.path("by"), null), text(e, "note", null));
            }
            out.print(entries);
        }
        out.flush();
        return text.toString();
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

    /** When the current stage ends: the instant of an automatic advance, or who has to advance it. */
    private static String nextAdvance(JsonNode r, String id, String state) {
        String at = text(r, "advance_at", null);
        if (at != null) {
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
