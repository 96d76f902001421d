package io.benchline.deployments.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;

/**
 * A deployment as the API shows it (the contract's field list, plus entry_point and reconciled: made by the
 * reconciler for a push whose webhook never arrived). An upload's deployment shows upload_id; a development one its
 * CLI session: until when it lives without a heartbeat, when the CLI ended it, how often to beat, and when the
 * deployment will be removed if nothing beats again.
 */
public record DeploymentResponse(
        String id,
        ProcedureRef procedure,
        Commit commit,
        String environment,
        String trigger,
        String status,
        String platform,
        String language,
        String runtimeVersion,
        Instant startedAt,
        Instant endedAt,
        Long artifactSizeBytes,
        Instant createdAt,
        long sequence,
        String source,
        Artifact artifact,
        String promotedFrom,
        String retryOf,
        Long buildDurationMs,
        long activeStations,
        String failureReason,
        String entryPoint,
        boolean reconciled,
        @JsonInclude(JsonInclude.Include.NON_NULL) String uploadId,
        @JsonInclude(JsonInclude.Include.NON_NULL) Instant sessionExpiresAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) Instant sessionEndedAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) Long sessionHeartbeatSeconds,
        @JsonInclude(JsonInclude.Include.NON_NULL) Instant sessionRemovalAt) {

    public record ProcedureRef(String id, String name) {
    }

    public record Commit(String sha, String message, String author, String branch) {
    }

    public record Artifact(String digest, String signature, String keyId) {
    }

    public record Page(List<DeploymentResponse> data, String nextCursor) {
    }
}
