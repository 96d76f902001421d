package io.benchline.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One deployment lifecycle change (topic {@link Topics#DEPLOYMENT_EVENTS}) with a snapshot of the
 * deployment after it, so a consumer needs no call back to deployment-service.
 *
 * @param change         created, building, ready, failed, promoted, rolled_back, resumed or deleted
 * @param sequence       per procedure, increasing with creation
 * @param autoPush       the procedure's auto-push setting when the event was written (false while it is paused)
 * @param artifact       set once ready
 * @param promotedFrom   for a promoted deployment: the preview it was promoted from
 * @param controlVersion for promoted, rolled_back and resumed: the procedure's control version after the change,
 *                       increasing by one with each; a consumer ignores a control change older than one it applied.
 *                       For the other changes: the control version {@code autoPush} was decided at (null before the
 *                       procedure's first control change), so a consumer can tell a pause that decision already knew
 *                       was over (its resume still on the way on another partition) from a later one
 * @param actor          who caused the change ({@link ActorRef#SYSTEM} for the build pipeline's own changes)
 * @param note           the caller's note, or null
 * @param reconciled     the deployment was created by deployment-service's reconciler for a push whose webhook never
 *                       arrived (trigger auto); absent (false) in events of older producers
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
        ArtifactRef artifact,
        String promotedFrom,
        Long controlVersion,
        ActorRef actor,
        String note,
        boolean reconciled) {

    /** A change without the reconciled flag: a deployment a push, a person or a promote made. */
    public DeploymentEvent(String change, String deploymentId, String orgId, String procedureId, long sequence,
            String environment, String trigger, String status, String branch, String commitSha, boolean autoPush,
            ArtifactRef artifact, String promotedFrom, Long controlVersion, ActorRef actor, String note) {
        this(change, deploymentId, orgId, procedureId, sequence, environment, trigger, status, branch, commitSha,
                autoPush, artifact, promotedFrom, controlVersion, actor, note, false);
    }

    /** A change of the build pipeline: no promotion, no control version, the platform as actor. */
    public DeploymentEvent(String change, String deploymentId, String orgId, String procedureId, long sequence,
            String environment, String trigger, String status, String branch, String commitSha, boolean autoPush,
            ArtifactRef artifact) {
        this(change, deploymentId, orgId, procedureId, sequence, environment, trigger, status, branch, commitSha,
                autoPush, artifact, null, null, ActorRef.SYSTEM, null, false);
    }

    public static final String CREATED = "created";
    public static final String BUILDING = "building";
    public static final String READY = "ready";
    public static final String FAILED = "failed";
    public static final String PROMOTED = "promoted";
    public static final String ROLLED_BACK = "rolled_back";
    public static final String RESUMED = "resumed";
    public static final String DELETED = "deleted";
}
