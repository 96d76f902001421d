package io.benchline.cli.agent;

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

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Assignment(String procedureId, String deploymentId, long pointerVersion, String entryPoint,
            Artifact artifact, String downloadUrl) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Artifact(String digest, long sizeBytes, String signature, String keyId) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record RunRequest(String id, String procedureId) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PointerReport(String deploymentId, long pointerVersion) {
    }

    /** {@code POST /agent/v1/runs}; outcome and duration only when finished. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record RunReport(String runId, String procedureId, String deploymentId, String phase, String outcome,
            String at, Long durationMs, String runRequestId) {
        public static final String STARTED = "started";
        public static final String FINISHED = "finished";
    }
}
