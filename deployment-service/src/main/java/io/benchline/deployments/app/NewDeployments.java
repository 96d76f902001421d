package io.benchline.deployments.app;

import io.benchline.deployments.model.Deployment;
import io.benchline.deployments.model.Procedure;
import io.benchline.deployments.store.DeploymentRepository;
import io.benchline.events.DeploymentEvent;
import io.benchline.events.EventIds;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Creates a pending deployment with its events: the sequence is taken from the procedure row the caller
 * has locked, and the row, {@code build.requested} and {@code deployment.events(created)} commit together.
 */
@ApplicationScoped
public class NewDeployments {
    private final DeploymentRepository deployments;
    private final DeploymentPublisher publisher;

    public NewDeployments(DeploymentRepository deployments, DeploymentPublisher publisher) {
        this.deployments = deployments;
        this.publisher = publisher;
    }

    /** Must run in a transaction that holds the lock on {@code lockedProcedure}. */
    public Uni<Deployment> create(Procedure lockedProcedure, NewDeployment spec) {
        Deployment d = new Deployment();
        d.id = EventIds.withPrefix("dep");
        d.orgId = lockedProcedure.orgId;
        d.procedureId = lockedProcedure.id;
        d.sequence = lockedProcedure.takeSequence();
        d.deliveryId = spec.deliveryId();
        d.commitSha = spec.commitSha();
        d.commitMessage = spec.commitMessage();
        d.commitAuthor = spec.commitAuthor();
        d.branch = spec.branch();
        d.environment = spec.environment();
        d.trigger = spec.trigger();
        d.status = Deployment.PENDING;
        d.source = spec.source() == null ? "git" : spec.source();
        d.retryOf = spec.retryOf();
        d.reconciled = spec.reconciled();
        d.uploadId = spec.uploadId();
        d.createdAt = Clock.now();
        d.updatedAt = d.createdAt;
        d.sessionExpiresAt = spec.sessionExpiresAt();
        return deployments.persist(d)
                .chain(() -> publisher.buildRequested(d, lockedProcedure))
                .chain(() -> publisher.lifecycle(DeploymentEvent.CREATED, d, lockedProcedure))
                .replaceWith(d);
    }

    /**
     * @param source  {@code git} (the default when null) or {@code upload}
     * @param retryOf the failed deployment this one builds again (re-run), else null
     * @param reconciled made by the reconciler for a push whose webhook never arrived
     * @param uploadId   for source upload: the upload the build reads
     * @param sessionExpiresAt for a development deployment: when its session ends without a heartbeat
     */
    public record NewDeployment(String deliveryId, String commitSha, String commitMessage, String commitAuthor,
            String branch, String environment, String trigger, String source, String retryOf, boolean reconciled,
            String uploadId, java.time.Instant sessionExpiresAt) {

        public NewDeployment(String deliveryId, String commitSha, String commitMessage, String commitAuthor,
                String branch, String environment, String trigger, String source, String retryOf, boolean reconciled) {
            this(deliveryId, commitSha, commitMessage, commitAuthor, branch, environment, trigger, source, retryOf,
                    reconciled, null, null);
        }

        public NewDeployment(String deliveryId, String commitSha, String commitMessage, String commitAuthor,
                String branch, String environment, String trigger, String source, String retryOf) {
            this(deliveryId, commitSha, commitMessage, commitAuthor, branch, environment, trigger, source, retryOf,
                    false);
        }

        /** A git build that repeats nothing: a push or a manual deployment. */
        public NewDeployment(String deliveryId, String commitSha, String commitMessage, String commitAuthor,
                String branch, String environment, String trigger) {
            this(deliveryId, commitSha, commitMessage, commitAuthor, branch, environment, trigger, null, null);
        }
    }
}
