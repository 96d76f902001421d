package io.benchline.stations.rollouts;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.apache.commons.math3.distribution.NormalDistribution;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The health gate of a rollout stage: the canary (runs on the new deployment) against the base (runs on the one the
 * stations came from) over the same window, since the stage started. Both need {@code minRuns}; after
 * {@code minWait} the canary is worse when a one-sided two-proportion z-test says its first-pass yield is lower, or
 * its failure rate (failed and error runs) is higher, than the base's at the gate's confidence, or when a one-sided
 * Welch z-test says its mean run duration is above the base's times {@code 1 + durationTolerance} (with at least two
 * timed runs on each side; else that check is skipped and the reason says so). Worse aborts; not worse advances; too
 * few runs by {@code timeout} needs attention, never a silent wait.
 */
public final class HealthGate {
    private static final NormalDistribution NORMAL = new NormalDistribution();

    private HealthGate() {
    }

    /** How much slower on average the canary may be when a gate does not say: 50 %. */
    public static final double DEFAULT_DURATION_TOLERANCE = 0.5;
    /** Timed runs each side needs for the duration check (a sample standard deviation needs two). */
    public static final int MIN_TIMED_RUNS = 2;
    /**
     * The least variance of a side's durations: {@code duration_ms} is whole milliseconds, so a mean is known no
     * better than its rounding (1/12 ms²), and runs of identical durations still give a finite z.
     */
    private static final double ROUNDING_VARIANCE = 1.0 / 12;

    /**
     * A stage's gate, as stored in {@code rollouts.gate}. {@code durationTolerance}: the fraction by which the canary's
     * mean duration may exceed the base's; null (gates stored before it existed) reads as the default.
     */
    public record Gate(int minRuns, long minWaitSeconds, long timeoutSeconds, double confidence,
            Double durationTolerance) {
        public Gate {
            durationTolerance = durationTolerance == null ? DEFAULT_DURATION_TOLERANCE : durationTolerance;
        }
    }

    /**
     * Runs in the window: all of them by outcome, the units (serial numbers) and how many passed on their first run,
     * how many reported a duration, and the durations' mean and sample standard deviation (null below one, resp.
     * two, timed runs).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Figures(long runs, long passed, long failed, long errors, long units, long firstPassUnits,
            long timedRuns, Double meanDurationMs, Double durationStddevMs) {
        public static final Figures NONE = new Figures(0, 0, 0, 0, 0, 0, 0, null, null);

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

    /**
     * What the gate says now, why, and the z statistics it used (null before there were enough runs; the duration's
     * also when a side had fewer than two timed runs), with the tolerance the duration was held to.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Verdict(String decision, String reason, Figures canary, Figures base, Double yieldZ,
            Double failureZ, Double durationZ, double durationTolerance, double criticalZ) {
    }

    /** The gate's decision at {@code now} for a stage that started at {@code stageStartedAt}. */
    public static Verdict evaluate(Gate gate, Instant stageStartedAt, Instant now, Figures canary, Figures base) {
        double critical = NORMAL.inverseCumulativeProbability(gate.confidence());
        double tolerance = gate.durationTolerance();
        long elapsed = Duration.between(stageStartedAt, now).toSeconds();
        if (elapsed < gate.minWaitSeconds()) {
            return new Verdict(WAIT, "the stage's minimum wait: " + (gate.minWaitSeconds() - elapsed) + " s left",
                    canary, base, null, null, null, tolerance, critical);
        }
        if (canary.runs() < gate.minRuns() || base.runs() < gate.minRuns()) {
            String counts = "canary " + canary.runs() + " of " + gate.minRuns() + " runs, base " + base.runs() + " of "
                    + gate.minRuns();
            if (elapsed >= gate.timeoutSeconds()) {
                return new Verdict(ATTENTION, "too few runs " + Duration.ofSeconds(gate.timeoutSeconds())
                        .toString().substring(2).toLowerCase(Locale.ROOT) + " after the stage started (" + counts
                        + "): advance or abort by hand", canary, base, null, null, null, tolerance, critical);
            }
            return new Verdict(WAIT, "waiting for runs: " + counts, canary, base, null, null, null, tolerance,
                    critical);
        }
        double yieldZ = z(canary.yieldMisses(), canary.yieldTrials(), base.yieldMisses(), base.yieldTrials());
        double failureZ = z(canary.failed() + canary.errors(), canary.runs(), base.failed() + base.errors(),
                base.runs());
        Double durationZ = canary.timedRuns() >= MIN_TIMED_RUNS && base.timedRuns() >= MIN_TIMED_RUNS
                ? durationZ(canary, base, tolerance) : null;
        String figures = String.format(Locale.ROOT, "first-pass yield %.3f vs %.3f (z %.2f), failure rate %.3f vs"
                        + " %.3f (z %.2f); one-sided two-proportion z-test, worse above %.2f at %.0f%% confidence; ",
                canary.firstPassYield(), base.firstPassYield(), yieldZ, canary.failureRate(), base.failureRate(),
                failureZ, critical, gate.confidence() * 100)
                + (durationZ == null ? String.format(Locale.ROOT, "duration check skipped: canary %d, base %d timed"
                                + " runs (each needs %d)", canary.timedRuns(), base.timedRuns(), MIN_TIMED_RUNS)
                        : String.format(Locale.ROOT, "mean duration %.0f ms vs %.0f ms, at most %.0f ms allowed"
                                        + " (tolerance %.0f%%; one-sided Welch z %.2f)", canary.meanDurationMs(),
                                base.meanDurationMs(), base.meanDurationMs() * (1 + tolerance), tolerance * 100,
                                durationZ));
        List<String> worse = new ArrayList<>();
        if (yieldZ > critical) {
            worse.add("first-pass yield");
        }
        if (failureZ > critical) {
            worse.add("failure rate");
        }
        if (durationZ != null && durationZ > critical) {
            worse.add("duration");
        }
        if (!worse.isEmpty()) {
            return new Verdict(ABORT, "the canary is worse than the base (" + String.join(", ", worse) + "): "
                    + figures, canary, base, yieldZ, failureZ, durationZ, tolerance, critical);
        }
        return new Verdict(ADVANCE, "the canary is not worse than the base: " + figures, canary, base, yieldZ,
                failureZ, durationZ, tolerance, critical);
    }

    /**
     * The z statistic of "the canary's mean duration is above the base's times {@code 1 + tolerance}": Welch's
     * statistic for the difference canary − (1 + tolerance) × base, each mean's variance its own (s² / n), read
     * against the normal distribution (large samples). Both sides have at least two timed runs.
     */
    static double durationZ(Figures canary, Figures base, double tolerance) {
        double factor = 1 + tolerance;
        double canaryVariance = Math.max(square(canary.durationStddevMs()), ROUNDING_VARIANCE) / canary.timedRuns();
        double baseVariance = Math.max(square(base.durationStddevMs()), ROUNDING_VARIANCE) / base.timedRuns();
        return (canary.meanDurationMs() - factor * base.meanDurationMs())
                / Math.sqrt(canaryVariance + factor * factor * baseVariance);
    }

    private static double square(double value) {
        return value * value;
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
