package io.benchline.deployments.api;

import java.time.Instant;
import java.util.List;

/**
 * A deployment as the API shows it (the contract's field list, plus entry_point and reconciled: made by the
 * reconciler for a push whose webhook never arrived).
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
        boolean reconciled) {

    public record ProcedureRef(String id, String name) {
    }

    public record Commit(String sha, String message, String author, String branch) {
    }

    public record Artifact(String digest, String signature, String keyId) {
    }

    public record Page(List<DeploymentResponse> data, String nextCursor) {
    }
}
