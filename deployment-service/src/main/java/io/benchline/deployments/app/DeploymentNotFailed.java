package io.benchline.deployments.app;

import io.benchline.common.api.DomainError;

import java.util.Map;

/** Only a failed deployment can be re-run: any other one built, or is still building, its commit. */
public class DeploymentNotFailed extends DomainError {
    private final String status;

    public DeploymentNotFailed(String deploymentId, String status) {
        super("deployment " + deploymentId + " is " + status + "; only a failed deployment can be re-run");
        this.status = status;
    }

    @Override
    public Category category() {
        return Category.CONFLICT;
    }

    @Override
    public String kind() {
        return "not-failed";
    }

    @Override
    public Map<String, Object> extensions() {
        return Map.of("deployment_status", status);
    }
}
