package io.benchline.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A verified, normalized git push from GitHub or GitLab (topic {@link Topics#DEPLOYMENT_REQUESTED}).
 * webhook-service publishes one per accepted delivery; deployment-service decides what to build.
 *
 * @param provider     {@code github} or {@code gitlab}
 * @param deliveryId   the provider's delivery id (X-GitHub-Delivery, or GitLab's Idempotency-Key / event UUID)
 * @param hookId       the Benchline webhook the delivery came through
 * @param orgId        the organization that owns that webhook
 * @param ref          the full ref, e.g. {@code refs/heads/main}
 * @param refType      {@code branch} or {@code tag}
 * @param refName      the short name: branch or tag name
 * @param after        the new ref target; for deletions forty zeros
 * @param commitSha    the commit to build: head commit (GitHub) or checkout_sha (GitLab); null for deletions
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DeploymentRequested(
        String provider,
        String deliveryId,
        String hookId,
        String orgId,
        Repository repository,
        String ref,
        String refType,
        String refName,
        String before,
        String after,
        String commitSha,
        Commit headCommit,
        boolean created,
        boolean deleted,
        boolean forced,
        String pusher,
        int commitCount) {

    /** The repository as the provider names it; any of its URLs can match a procedure's repository. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Repository(String fullName, String cloneUrl, String sshUrl, String htmlUrl) {
    }
}
