package io.benchline.cli.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;

/** JSON bodies of the agent channel ({@code /agent/v1}), snake_case on the wire. */
public final class AgentMessages {
    private AgentMessages() {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Assignments(String stationId, String organizationId, List<Assignment> assignments,
            List<RunRequest> runRequests) {
        public Assignments {
            assignments = assignments == null ? List.of() : List.copyOf(assignments);
            runRequests = runRequests == null ? List.of() : List.copyOf(runRequests);
        }
    }

    /**
     * What to run for a procedure. A staged deployment becomes active once the procedure has been idle (no run in
     * progress or ended) for {@code idle_window_seconds}; staged longer than {@code max_deferral_seconds}, the station
     * drains. Both null from a dispatcher without station settings: {@link #DEFAULT_IDLE_WINDOW} and
     * {@link #DEFAULT_MAX_DEFERRAL}.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Assignment(String procedureId, String deploymentId, long pointerVersion, String entryPoint,
            Artifact artifact, String downloadUrl, Long idleWindowSeconds, Long maxDeferralSeconds) {
        public static final java.time.Duration DEFAULT_IDLE_WINDOW = java.time.Duration.ZERO;
        public static final java.time.Duration DEFAULT_MAX_DEFERRAL = java.time.Duration.ofHours(1);

        public java.time.Duration idleWindow() {
            return idleWindowSeconds == null || idleWindowSeconds < 0 ? DEFAULT_IDLE_WINDOW
                    : java.time.Duration.ofSeconds(idleWindowSeconds);
        }

        public java.time.Duration maxDeferral() {
            return maxDeferralSeconds == null || maxDeferralSeconds < 0 ? DEFAULT_MAX_DEFERRAL
                    : java.time.Duration.ofSeconds(maxDeferralSeconds);
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Artifact(String digest, long sizeBytes, String signature, String keyId) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record RunRequest(String id, String procedureId, String serialNumber) {
        public RunRequest(String id, String procedureId) {
            this(id, procedureId, null);
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PointerReport(String deploymentId, long pointerVersion) {
    }

    /** {@code PUT /agent/v1/pointers/{procedure_id}/state}: downloading, installing, staged, active, failed. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PointerState(String deploymentId, String state, String reason) {
    }

    /**
     * {@code POST /agent/v1/runs}; outcome and duration only when finished, and for a TofuPilot-format procedure the
     * unit's serial number and each phase's outcome ({@code phase} is the report's: started or finished).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record RunReport(String runId, String procedureId, String deploymentId, String phase, String outcome,
            String at, Long durationMs, String runRequestId, String serialNumber, List<PhaseResult> phaseResults) {
        public static final String STARTED = "started";
        public static final String FINISHED = "finished";

        public RunReport(String runId, String procedureId, String deploymentId, String phase, String outcome,
                String at, Long durationMs, String runRequestId) {
            this(runId, procedureId, deploymentId, phase, outcome, at, durationMs, runRequestId, null, null);
        }
    }

    /** One phase of a run: pass, fail, error, timeout, skip or stop, with its measurements. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PhaseResult(String key, String name, String group, String outcome, Integer attempts,
            Long durationMs, String message, List<MeasurementResult> measurements) {
    }

    /** A measurement of a phase: its value and whether its validators passed (PASS, FAIL, UNSET). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record MeasurementResult(String key, String name, String unit, JsonNode value, String outcome) {
    }
}
