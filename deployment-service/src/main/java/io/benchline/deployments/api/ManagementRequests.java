package io.benchline.deployments.api;

import io.benchline.common.api.MultiLine;

import java.time.Instant;
import java.util.List;

/** Request and response bodies of promote, rollback, resume, delete and history (snake_case on the wire). */
public final class ManagementRequests {
    private ManagementRequests() {
    }

    /** An optional note, kept in the history and the events. */
    public record NoteRequest(@MultiLine String note) {
    }

    public record RollbackRequest(String deploymentId, @MultiLine String note) {
    }

    public record ActorView(String keyId, String name) {
    }

    public record HistoryEntry(String id, Instant at, String action, String procedureId, String deploymentId,
            String fromDeploymentId, ActorView actor, String note) {
    }

    public record HistoryPage(List<HistoryEntry> data, String nextCursor) {
    }
}
