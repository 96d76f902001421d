package io.benchline.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One deployment lifecycle change (topic {@link Topics#DEPLOYMENT_EVENTS}) with a snapshot of the
 * deployment after it, so a consumer needs no call back to deployment-service.
 *
 * @param change     created, building, ready, failed, promoted, rolled_back or deleted
 * @param sequence   per procedure, increasing with creation
 * @param autoPush   the procedure's auto-push setting when the event was written
 * @param artifact   set once ready
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DeploymentEvent(
        String change,
        String deploymentId,
        String orgId,
        String procedureId,
        long sequence,
        String environment,
        String trigger,
        String status,
        String branch,
        String commitSha,
        boolean autoPush,
        ArtifactRef artifact) {

    public static final String CREATED = "created";
    public static final String BUILDING = "building";
    public static final String READY = "ready";
    public static final String FAILED = "failed";
    public static final String PROMOTED = "promoted";
    public static final String ROLLED_BACK = "rolled_back";
    public static final String DELETED = "deleted";
}
