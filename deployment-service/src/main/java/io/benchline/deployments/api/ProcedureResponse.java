package io.benchline.deployments.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;

/** A procedure as the API shows it. The webhook secret is included only in the answers to the create and to a rotation. */
public record ProcedureResponse(String id, String name, Repository repository, String productionBranch,
        boolean autoPush, List<String> excludedBranches, Webhook webhook, Instant createdAt, Instant updatedAt,
        Paused paused, ReconcileState reconcile) {

    /**
     * The reconciler for missed pushes: on/off, the interval between passes, when the last pass succeeded, and what
     * went wrong in the last pass that failed since (null once a pass succeeds again).
     */
    public record ReconcileState(boolean enabled, String interval, Instant lastReconciledAt, LastError lastError) {
    }

    /** Why the last pass could not reconcile the procedure (the remote did not answer, refused, ...), and when. */
    public record LastError(String message, Instant at) {
    }

    /** Set while a rollback pauses auto-push: since when, by whom, why, and the deployment stations were sent to. */
    public record Paused(Instant since, ManagementRequests.ActorView by, String reason, String note,
            String rollbackDeploymentId) {
    }

    /**
     * The repository; its credentials are write-only: only whether there are any, their type and when they were set.
     */
    public record Repository(String provider, String cloneUrl, String fullName, boolean hasCredentials,
            @JsonInclude(JsonInclude.Include.NON_NULL) String credentialsType,
            @JsonInclude(JsonInclude.Include.NON_NULL) Instant credentialsUpdatedAt) {
    }

    public record Webhook(String id, String githubUrl, String gitlabUrl,
            @JsonInclude(JsonInclude.Include.NON_NULL) String secret) {
    }
}
