package io.benchline.deployments.api;

/** Body of POST /v2/deployments: a commit, a branch (its head is built), or both. */
public record DeploymentRequest(String procedureId, String commitSha, String branch) {
}
