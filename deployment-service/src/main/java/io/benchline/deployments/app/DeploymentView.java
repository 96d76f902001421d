package io.benchline.deployments.app;

import io.benchline.deployments.model.Deployment;

/** A deployment with what its API representation adds: the procedure's name and the active station count. */
public record DeploymentView(Deployment deployment, String procedureName, long activeStations) {
}
