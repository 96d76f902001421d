package io.benchline.stations.rollouts;

import io.benchline.events.EventCodec;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The gate's decision as a function of its figures: yield, failure rate, and run duration against a tolerance. */
class HealthGateTest {
    private static final Instant STARTED = Instant.parse("2026-12-01T10:00:00Z");
    private static final Instant NOW = STARTED.plusSeconds(3600);
    private static final HealthGate.Gate GATE = new HealthGate.Gate(20, 60, 7200, 0.95, null);

    /** {@code runs} passed runs, one unit each, with the given duration figures. */
    private static HealthGate.Figures passed(long runs, long timedRuns, Double meanMs, Double stddevMs) {
        return new HealthGate.Figures(runs, runs, 0, 0, runs, runs, timedRuns, meanMs, stddevMs);
    }

    @Test
    void aCanaryMuchSlowerThanTheToleranceAllowsAborts() {
        HealthGate.Verdict v = HealthGate.evaluate(GATE, STARTED, NOW, passed(30, 30, 2400.0, 200.0),
                passed(40, 40, 1000.0, 150.0));

        assertThat(v.decision()).isEqualTo(HealthGate.ABORT);
        assertThat(v.durationZ()).isGreaterThan(v.criticalZ());
        assertThat(v.durationTolerance()).isEqualTo(0.5);
        assertThat(v.reason()).contains("worse than the base (duration)")
                .contains("mean duration 2400 ms vs 1000 ms, at most 1500 ms allowed (tolerance 50%");
    }

    @Test
    void aCanarySlowerButWithinTheToleranceAdvances() {
        HealthGate.Verdict v = HealthGate.evaluate(GATE, STARTED, NOW, passed(30, 30, 1400.0, 200.0),
                passed(40, 40, 1000.0, 150.0));

        assertThat(v.decision()).isEqualTo(HealthGate.ADVANCE);
        assertThat(v.durationZ()).isNegative();
        assertThat(v.reason()).contains("not worse").contains("mean duration 1400 ms vs 1000 ms");
    }

    @Test
    void aMeanJustAboveTheLimitIsNotWorseWhenTheSpreadLeavesItUnsure() {
        // 1550 ms against a limit of 1500: with a spread of 600 ms over 30 runs, z is about 0.4.
        HealthGate.Verdict v = HealthGate.evaluate(GATE, STARTED, NOW, passed(30, 30, 1550.0, 600.0),
                passed(40, 40, 1000.0, 300.0));

        assertThat(v.decision()).isEqualTo(HealthGate.ADVANCE);
        assertThat(v.durationZ()).isPositive().isLessThan(v.criticalZ());
    }

    @Test
    void aTighterToleranceMakesTheSameCanaryWorse() {
        HealthGate.Gate tight = new HealthGate.Gate(20, 60, 7200, 0.95, 0.1);
        HealthGate.Verdict v = HealthGate.evaluate(tight, STARTED, NOW, passed(30, 30, 1400.0, 200.0),
                passed(40, 40, 1000.0, 150.0));

        assertThat(v.decision()).isEqualTo(HealthGate.ABORT);
        assertThat(v.reason()).contains("at most 1100 ms allowed (tolerance 10%");
    }

    @Test
    void identicalDurationsOnEachSideStillGiveAFiniteStatistic() {
        HealthGate.Verdict slower = HealthGate.evaluate(GATE, STARTED, NOW, passed(30, 30, 3000.0, 0.0),
                passed(40, 40, 1000.0, 0.0));
        HealthGate.Verdict same = HealthGate.evaluate(GATE, STARTED, NOW, passed(30, 30, 1000.0, 0.0),
                passed(40, 40, 1000.0, 0.0));

        assertThat(slower.decision()).isEqualTo(HealthGate.ABORT);
        assertThat(slower.durationZ()).isFinite();
        assertThat(same.decision()).isEqualTo(HealthGate.ADVANCE);
    }

    @Test
    void withoutTwoTimedRunsOnEachSideTheDurationCheckIsSkippedAndTheReasonSaysSo() {
        HealthGate.Verdict none = HealthGate.evaluate(GATE, STARTED, NOW, passed(30, 0, null, null),
                passed(40, 40, 1000.0, 150.0));
        HealthGate.Verdict one = HealthGate.evaluate(GATE, STARTED, NOW, passed(30, 30, 9000.0, 100.0),
                passed(40, 1, 1000.0, null));

        assertThat(none.decision()).isEqualTo(HealthGate.ADVANCE);
        assertThat(none.durationZ()).isNull();
        assertThat(none.reason()).contains("duration check skipped: canary 0, base 40 timed runs (each needs 2)");
        assertThat(one.decision()).as("a slow canary, but a base of one timed run").isEqualTo(HealthGate.ADVANCE);
        assertThat(one.reason()).contains("duration check skipped: canary 30, base 1 timed runs");
    }

    @Test
    void aWorseYieldStillAbortsWhateverTheDurations() {
        HealthGate.Figures canary = new HealthGate.Figures(30, 15, 15, 0, 30, 15, 30, 1000.0, 100.0);
        HealthGate.Verdict v = HealthGate.evaluate(GATE, STARTED, NOW, canary, passed(40, 40, 1000.0, 100.0));

        assertThat(v.decision()).isEqualTo(HealthGate.ABORT);
        assertThat(v.reason()).contains("worse than the base (first-pass yield, failure rate)");
    }

    @Test
    void aGateStoredBeforeTheToleranceExistedReadsWithTheDefault() throws Exception {
        HealthGate.Gate old = EventCodec.mapper().readValue(
                "{\"minRuns\":20,\"minWaitSeconds\":300,\"timeoutSeconds\":3600,\"confidence\":0.95}",
                HealthGate.Gate.class);
        assertThat(old.durationTolerance()).isEqualTo(HealthGate.DEFAULT_DURATION_TOLERANCE);
        HealthGate.Gate stored = EventCodec.mapper().readValue(EventCodec.mapper().writeValueAsString(
                new HealthGate.Gate(5, 60, 600, 0.9, 0.25)), HealthGate.Gate.class);
        assertThat(stored.durationTolerance()).isEqualTo(0.25);
    }

    @Test
    void theVerdictsFiguresAreWrittenAsTheApiShowsThem() throws Exception {
        HealthGate.Verdict v = HealthGate.evaluate(GATE, STARTED, NOW, passed(30, 30, 1400.0, 200.0),
                passed(40, 40, 1000.0, 150.0));
        var json = EventCodec.mapper().readTree(EventCodec.mapper().writeValueAsString(v));

        assertThat(json.path("duration_z").isNumber()).isTrue();
        assertThat(json.path("duration_tolerance").asDouble()).isEqualTo(0.5);
        assertThat(json.path("canary").path("mean_duration_ms").asDouble()).isEqualTo(1400.0);
        assertThat(json.path("canary").path("duration_stddev_ms").asDouble()).isEqualTo(200.0);
        assertThat(json.path("canary").path("timed_runs").asLong()).isEqualTo(30);
        assertThat(json.path("canary").path("first_pass_yield").asDouble()).isEqualTo(1.0);
    }
}
