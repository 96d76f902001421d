package io.benchline.dashboard.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.qute.TemplateData;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static io.benchline.dashboard.web.Views.text;

/** A rollout as its pages show it, mapped from {@code GET /v2/rollouts/{id}} (snake_case). */
final class RolloutViews {
    private static final Set<String> FINISHED = Set.of("completed", "aborted");

    private RolloutViews() {
    }

    /**
     * A rollout with the actions its state allows a member: advance (running, paused or needing attention, not on
     * its last stage's end), pause (running), resume (paused), abort (not finished).
     */
    @TemplateData
    record Rollout(String id, String procedureId, String deploymentId, String previousDeploymentId, String state,
            int stage, int stageCount, int stationCount, String stageWait, Views.Stamp advanceAt, boolean fromPlan,
            List<Stage> stages, Views.Stamp created, String createdBy, Views.Stamp finished, String rollbackTarget,
            Gate gate, Verdict verdict, String attentionReason, List<History> history, boolean finishedState,
            boolean canAdvance, boolean canPause, boolean canResume, boolean canAbort) {
        static Rollout of(JsonNode r, boolean member) {
            String state = r.path("state").asText();
            List<Stage> stages = new ArrayList<>();
            r.path("stages").forEach(s -> stages.add(Stage.of(s)));
            List<History> history = new ArrayList<>();
            r.path("history").forEach(h -> history.add(History.of(h)));
            boolean finished = FINISHED.contains(state);
            return new Rollout(r.path("id").asText(), text(r, "procedure_id", ""), text(r, "deployment_id", ""),
                    text(r, "previous_deployment_id", null), state, r.path("stage").asInt(), stages.size(),
                    r.path("station_count").asInt(), text(r, "wait", null), Views.Stamp.of(r.path("advance_at")),
                    r.path("from_plan").asBoolean(), stages, Views.Stamp.of(r.path("created_at")),
                    actor(r.path("created_by")), Views.Stamp.of(r.path("finished_at")),
                    text(r, "rollback_target", null), Gate.of(r.path("gate")), Verdict.of(r.path("verdict")),
                    text(r, "attention_reason", null), history, finished,
                    member && !finished && !state.equals("paused"), member && state.equals("running"),
                    member && state.equals("paused"), member && !finished);
        }

        /** "stage 2 of 4" as people count (the API counts from 0). */
        public int stageNumber() {
            return Math.min(stage + 1, stageCount);
        }
    }

    @TemplateData
    record Stage(int number, String size, int target, long moved, long active, String state, long inStage,
            long desired, long staged, long actual, int movedPercent) {
        static Stage of(JsonNode s) {
            JsonNode in = s.path("in_stage");
            String size = s.path("percent").isNumber() ? s.path("percent").decimalValue().stripTrailingZeros()
                    .toPlainString() + " %" : s.path("stations").asInt() + (s.path("stations").asInt() == 1
                    ? " station" : " stations");
            int target = s.path("target").asInt();
            long moved = s.path("moved").asLong();
            return new Stage(s.path("index").asInt() + 1, size, target, moved, s.path("active").asLong(),
                    text(s, "state", ""), in.path("stations").asLong(), in.path("desired").asLong(),
                    in.path("staged").asLong(), in.path("actual").asLong(),
                    target == 0 ? 0 : (int) Math.min(100, moved * 100 / target));
        }
    }

    @TemplateData
    record Gate(int minRuns, String minWait, String timeout, String confidence, String durationTolerance) {
        static Gate of(JsonNode g) {
            if (!g.isObject()) {
                return null;
            }
            return new Gate(g.path("min_runs").asInt(), text(g, "min_wait", ""), text(g, "timeout", ""),
                    percent(g.path("confidence").asDouble()), percent(g.path("duration_tolerance").asDouble()));
        }
    }

    /**
     * The gate's verdict with both sides' figures and the bars of its chart: first-pass yield and failure rate of
     * canary and base, each as a share of the chart's width.
     */
    @TemplateData
    record Verdict(String decision, String reason, Side canary, Side base, String yieldZ, String failureZ,
            String durationZ, String criticalZ) {
        static Verdict of(JsonNode v) {
            if (!v.isObject()) {
                return null;
            }
            return new Verdict(text(v, "decision", ""), text(v, "reason", ""), Side.of(v.path("canary")),
                    Side.of(v.path("base")), z(v.path("yield_z")), z(v.path("failure_z")), z(v.path("duration_z")),
                    z(v.path("critical_z")));
        }
    }

    @TemplateData
    record Side(long runs, long passed, long failed, long errors, long units, String firstPassYield,
            String failureRate, String meanDuration, double yieldShare, double failureShare) {
        static Side of(JsonNode f) {
            JsonNode fpy = f.path("first_pass_yield");
            JsonNode failure = f.path("failure_rate");
            return new Side(f.path("runs").asLong(), f.path("passed").asLong(), f.path("failed").asLong(),
                    f.path("errors").asLong(), f.path("units").asLong(),
                    fpy.isNumber() ? percent(fpy.asDouble()) : "–", failure.isNumber() ? percent(failure.asDouble()) : "–",
                    Views.duration(f.path("mean_duration_ms")),
                    fpy.isNumber() ? fpy.asDouble() : 0, failure.isNumber() ? failure.asDouble() : 0);
        }

        /** The bars' widths in the chart's SVG coordinates (0 to 300). */
        public String yieldWidth() {
            return String.format(Locale.ROOT, "%.1f", yieldShare * 300);
        }

        public String failureWidth() {
            return String.format(Locale.ROOT, "%.1f", failureShare * 300);
        }

        /** Where a bar's label starts: just after its end. */
        public String yieldLabelX() {
            return String.format(Locale.ROOT, "%.1f", 66 + yieldShare * 300);
        }

        public String failureLabelX() {
            return String.format(Locale.ROOT, "%.1f", 66 + failureShare * 300);
        }
    }

    @TemplateData
    record History(Views.Stamp at, String action, Integer stage, String by, String note, String figures) {
        static History of(JsonNode h) {
            JsonNode figures = h.path("figures");
            return new History(Views.Stamp.of(h.path("at")), text(h, "action", ""),
                    h.path("stage").isNumber() ? h.path("stage").asInt() + 1 : null, actor(h.path("by")),
                    text(h, "note", null), figures.isObject() ? summary(figures) : null);
        }

        /** A gate decision's figures in one line: both sides' yield, failure rate and runs. */
        private static String summary(JsonNode f) {
            Side canary = Side.of(f.path("canary"));
            Side base = Side.of(f.path("base"));
            if (!f.path("canary").isObject()) {
                return null;
            }
            return "canary FPY " + canary.firstPassYield() + ", failures " + canary.failureRate() + " of "
                    + canary.runs() + " runs; base FPY " + base.firstPassYield() + ", failures " + base.failureRate()
                    + " of " + base.runs() + " runs";
        }
    }

    /** One rollout in a procedure's list. */
    @TemplateData
    record Row(String id, String deploymentId, String state, int stageNumber, int stageCount, int stationCount,
            Views.Stamp created, String createdBy, String decision) {
        static Row of(JsonNode r) {
            Rollout full = Rollout.of(r, false);
            return new Row(full.id(), full.deploymentId(), full.state(), full.stageNumber(), full.stageCount(),
                    full.stationCount(), full.created(), full.createdBy(),
                    full.verdict() == null ? null : full.verdict().decision());
        }
    }

    private static String actor(JsonNode by) {
        return text(by, "name", text(by, "key_id", null));
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f %%", share * 100);
    }

    private static String z(JsonNode value) {
        return value.isNumber() ? String.format(Locale.ROOT, "%.2f", value.asDouble()) : null;
    }
}
