package io.benchline.deployments.api;

import io.benchline.common.api.MultiLine;

/**
 * Body of POST /v2/deployments: a commit, a branch (its head is built), or both; or an upload of a working tree
 * ({@code benchline deploy}/{@code dev}) with the environment it is for and what the CLI knows of its commit.
 *
 * @param environment for an upload: {@code preview} (default), {@code production} or {@code development}; a git
 *                    build is always a preview (production only by promote)
 */
public record DeploymentRequest(String procedureId, String commitSha, String branch, String uploadId,
        String environment, Commit commit) {

    public DeploymentRequest(String procedureId, String commitSha, String branch) {
        this(procedureId, commitSha, branch, null, null, null);
    }

    /** What the CLI knows of the upload's commit: sha null when the working tree had uncommitted changes. */
    public record Commit(String sha, @MultiLine String message, String author) {
    }
}
