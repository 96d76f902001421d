package io.benchline.deployments.app;

import io.benchline.common.outbox.Outbox;
import io.benchline.deployments.model.Deployment;
import io.benchline.deployments.model.Procedure;
import io.benchline.events.ActorRef;
import io.benchline.events.ArtifactRef;
import io.benchline.events.BuildRequested;
import io.benchline.events.DeploymentEvent;
import io.benchline.events.EventCodec;
import io.benchline.events.EventTypes;
import io.benchline.events.Topics;
import io.benchline.repositories.CloneUrlPolicy;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Writes this service's events to the outbox, in the caller's transaction. Key: deployment id. */
@ApplicationScoped
public class DeploymentPublisher {
    static final String SOURCE = "/deployment-service";
    private static final String AGGREGATE = "deployment";
    private final Outbox outbox;

    public DeploymentPublisher(Outbox outbox) {
        this.outbox = outbox;
    }

    /**
     * The build request carries a reference to the repository credentials (the procedure id), never the secret; a
     * clone URL stored with credentials inside it (before they had their own field) goes out redacted, and the
     * worker refuses it with a reason that points at {@code repository.credentials}.
     */
    public Uni<Void> buildRequested(Deployment d, Procedure procedure) {
        BuildRequested.Source source = "upload".equals(d.source)
                ? new BuildRequested.Source("upload", null, d.commitSha, null, d.uploadId, null)
                : new BuildRequested.Source("git", CloneUrlPolicy.redact(procedure.cloneUrl), d.commitSha, d.branch,
                        null, procedure.credentials == null ? null : procedure.id);
        BuildRequested data = new BuildRequested(d.id, d.orgId, d.procedureId, procedure.name, d.sequence,
                d.environment, source);
        return outbox.append(Topics.BUILD_REQUESTED, d.id, AGGREGATE,
                EventCodec.envelope(EventTypes.BUILD_REQUESTED, SOURCE, d.id, data));
    }

    /**
     * A build-pipeline change (created, building, ready, failed) with the procedure's auto-push decision and the
     * control version it was made at (null before the first promote, rollback or resume), so station-dispatcher can
     * tell a pause this decision already knew was over from one that came after it.
     */
    public Uni<Void> lifecycle(String change, Deployment d, Procedure procedure) {
        boolean autoPush = procedure != null && procedure.autoPush && !procedure.isPaused();
        Long controlVersion = procedure == null || procedure.controlVersion == 0 ? null : procedure.controlVersion;
        DeploymentEvent data = new DeploymentEvent(change, d.id, d.orgId, d.procedureId, d.sequence, d.environment,
                d.trigger, d.status, d.branch, d.commitSha, autoPush, artifactOf(d), d.promotedFrom, controlVersion,
                ActorRef.SYSTEM, null, d.reconciled);
        return outbox.append(Topics.DEPLOYMENT_EVENTS, d.id, AGGREGATE,
                EventCodec.envelope(EventTypes.DEPLOYMENT_LIFECYCLE, SOURCE, d.id, data));
    }

    /**
     * A promote, rollback, resume or delete: the deployment's snapshot with the procedure's control version (null
     * for delete), who asked and why.
     */
    public Uni<Void> managed(String change, Deployment d, Procedure procedure, Long controlVersion, ActorRef actor,
            String note) {
        DeploymentEvent data = new DeploymentEvent(change, d.id, d.orgId, d.procedureId, d.sequence, d.environment,
                d.trigger, d.status, d.branch, d.commitSha, procedure.autoPush && !procedure.isPaused(), artifactOf(d),
                d.promotedFrom, controlVersion, actor, note, d.reconciled);
        return outbox.append(Topics.DEPLOYMENT_EVENTS, d.id, AGGREGATE,
                EventCodec.envelope(EventTypes.DEPLOYMENT_LIFECYCLE, SOURCE, d.id, data));
    }

    static ArtifactRef artifactOf(Deployment d) {
        if (d.artifactDigest == null) {
            return null;
        }
        return new ArtifactRef(d.artifactDigest, d.artifactSizeBytes == null ? 0 : d.artifactSizeBytes,
                d.artifactSignature, d.artifactKeyId);
    }
}
