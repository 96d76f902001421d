package io.benchline.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A pending deployment to build (topic {@link Topics#BUILD_REQUESTED}), from deployment-service to build-worker.
 *
 * @param source where the source is: a git repository at a commit (or branch to resolve), or an upload
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record BuildRequested(
        String deploymentId,
        String orgId,
        String procedureId,
        String procedureName,
        long sequence,
        String environment,
        Source source) {

    /**
     * @param kind      {@code git} or {@code upload}
     * @param cloneUrl  for git: the URL to clone
     * @param commitSha for git: the exact commit; null when only a branch is given
     * @param branch    the branch the commit belongs to (or to resolve when commitSha is null)
     * @param uploadKey for upload: the object key the CLI uploaded to
     * @param credentialsRef for git: the procedure id whose repository credentials build-worker fetches from
     *                       deployment-service ({@code GET /internal/v1/procedures/{id}/credentials}) right before it
     *                       clones; null when the repository needs none. The secret itself never travels on Kafka.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Source(String kind, String cloneUrl, String commitSha, String branch, String uploadKey,
            String credentialsRef) {

        /** A source without repository credentials. */
        public Source(String kind, String cloneUrl, String commitSha, String branch, String uploadKey) {
            this(kind, cloneUrl, commitSha, branch, uploadKey, null);
        }
    }
}
