package io.benchline.stations.rollouts;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.apache.commons.math3.distribution.NormalDistribution;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * The health gate of a rollout stage: the canary (runs on the new deployment) against the base (runs on the one the
 * stations came from) over the same window, since the stage started. Both need {@code minRuns}; after
 * {@code minWait} the canary is worse when a one-sided two-proportion z-test says its first-pass yield is lower, or
 * its failure rate (failed and error runs) is higher, than the base's at the gate's confidence. Worse aborts; not
 * worse advances; too few runs by {@code timeout} needs attention, never a silent wait.
 */
public final class HealthGate {
    private static final NormalDistribution NORMAL = new NormalDistribution();

    private HealthGate() {
    }

    /** A stage's gate. */
    public record Gate(int minRuns, long minWaitSeconds, long timeoutSeconds, double confidence) {
    }

    /**
     * Runs in the window: all of them by outcome, the units (serial numbers) and how many passed on their first run,
     * the mean duration.
     */
    public record Figures(long runs, long passed, long failed, long errors, long units, long firstPassUnits,
            Double meanDurationMs) {
        public static final Figures NONE = new Figures(0, 0, 0, 0, 0, 0, null);

        /** Share of units that passed on their first run (of runs, when no run names a unit); null without runs. */
        @JsonProperty("first_pass_yield")
        public Double firstPassYield() {
            if (units > 0) {
                return (double) firstPassUnits / units;
            }
            return runs == 0 ? null : (double) passed / runs;
        }

        @JsonProperty("failure_rate")
        public Double failureRate() {
            return runs == 0 ? null : (double) (failed + errors) / runs;
        }

        @JsonProperty("error_rate")
        public Double errorRate() {
            return runs == 0 ? null : (double) errors / runs;
        }

        long yieldTrials() {
            return units > 0 ? units : runs;
        }

        long yieldMisses() {
            return units > 0 ? units - firstPassUnits : runs - passed;
        }
    }

    public static final String WAIT = "wait";
    public static final String ADVANCE = "advance";
    public static final String ABORT = "abort";
    public static final String ATTENTION = "needs_attention";

    /** What the gate says now, why, and the z statistics it used (null before there were enough runs). */
    public record Verdict(String decision, String reason, Figures canary, Figures base, Double yieldZ,
            Double failureZ, double criticalZ) {
    }

    public static Verdict evaluate(Gate gate, Instant stageStartedAt, Instant now, Figures canary, Figures base) {
        double critical = NORMAL.inverseCumulativeProbability(gate.confidence());
        long elapsed = Duration.between(stageStartedAt, now).toSeconds();
        if (elapsed < gate.minWaitSeconds()) {
            return new Verdict(WAIT, "the stage's minimum wait: " + (gate.minWaitSeconds() - elapsed) + " s left",
                    canary, base, null, null, critical);
        }
        if (canary.runs() < gate.minRuns() || base.runs() < gate.minRuns()) {
            String counts = "canary " + canary.runs() + " of " + gate.minRuns() + " runs, base " + base.runs() + " of "
                    + gate.minRuns();
            if (elapsed >= gate.timeoutSeconds()) {
                return new Verdict(ATTENTION, "too few runs " + Duration.ofSeconds(gate.timeoutSeconds())
                        .toString().substring(2).toLowerCase(Locale.ROOT) + " after the stage started (" + counts
                        + "): advance or abort by hand", canary, base, null, null, critical);
            }
            return new Verdict(WAIT, "waiting for runs: " + counts, canary, base, null, null, critical);
        }
        double yieldZ = z(canary.yieldMisses(), canary.yieldTrials(), base.yieldMisses(), base.yieldTrials());
        double failureZ = z(canary.failed() + canary.errors(), canary.runs(), base.failed() + base.errors(),
                base.runs());
        String figures = String.format(Locale.ROOT, "first-pass yield %.3f vs %.3f (z %.2f), failure rate %.3f vs"
                        + " %.3f (z %.2f); one-sided two-proportion z-test, worse above %.2f at %.0f%% confidence",
                canary.firstPassYield(), base.firstPassYield(), yieldZ, canary.failureRate(), base.failureRate(),
                failureZ, critical, gate.confidence() * 100);
        if (yieldZ > critical || failureZ > critical) {
            return new Verdict(ABORT, "the canary is worse than the base: " + figures, canary, base, yieldZ, failureZ,
                    critical);
        }
        return new Verdict(ADVANCE, "the canary is not worse than the base: " + figures, canary, base, yieldZ,
                failureZ, critical);
    }

    /**
     * The z statistic of "the canary's share of bad outcomes is higher than the base's" (pooled two-proportion
     * test); 0 when both are all good or all bad (nothing to tell apart).
     */
    static double z(long canaryBad, long canaryTrials, long baseBad, long baseTrials) {
        double p1 = (double) canaryBad / canaryTrials;
        double p2 = (double) baseBad / baseTrials;
        double pooled = (double) (canaryBad + baseBad) / (canaryTrials + baseTrials);
        double variance = pooled * (1 - pooled) * (1.0 / canaryTrials + 1.0 / baseTrials);
        if (variance <= 0) {
            return 0;
        }
        return (p1 - p2) / Math.sqrt(variance);
    }
}
