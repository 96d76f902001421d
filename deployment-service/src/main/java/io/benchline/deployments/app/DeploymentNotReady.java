package io.benchline.deployments.app;

import io.benchline.common.api.DomainError;

import java.util.Map;

/** The deployment has no artifact yet (pending or building) or never will (failed). */
public class DeploymentNotReady extends DomainError {
    private final String status;

    /** @param action what needs a ready deployment, e.g. "listing the contents" */
    public DeploymentNotReady(String deploymentId, String status, String action) {
        super("deployment " + deploymentId + " is " + status + "; " + action + " needs a ready deployment");
        this.status = status;
    }

    @Override
    public Category category() {
        return Category.CONFLICT;
    }

    @Override
    public String kind() {
        return "not-ready";
    }

    @Override
    public Map<String, Object> extensions() {
        return Map.of("deployment_status", status);
    }
}
