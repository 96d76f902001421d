package io.benchline.deployments.app;

import io.benchline.deployments.app.ManagementErrors.DeploymentInUse;
import io.benchline.deployments.model.Deployment;
import io.benchline.deployments.store.DeploymentRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Completes deletes a crash interrupted between their steps: a deployment tombstoned here ({@code deleting_since})
 * longer than {@code benchline.deployments.delete-stuck-after} ago is asked about again at station-dispatcher; the
 * delete is finished when the dispatcher agrees, the tombstone released when it refuses.
 */
@ApplicationScoped
public class DeleteSweeper {
    private static final Logger LOG = Logger.getLogger(DeleteSweeper.class);
    private final DeploymentRepository deployments;
    private final DispatcherClient dispatcher;
    private final DeploymentManagement management;
    private final ArtifactDeletions artifactDeletions;
    private final Duration stuckAfter;

    public DeleteSweeper(DeploymentRepository deployments, DispatcherClient dispatcher,
            DeploymentManagement management, ArtifactDeletions artifactDeletions, DeploymentServiceConfig config) {
        Duration stuckAfter = config.deployments().deleteStuckAfter();
        this.deployments = deployments;
        this.dispatcher = dispatcher;
        this.management = management;
        this.artifactDeletions = artifactDeletions;
        this.stuckAfter = stuckAfter;
    }

    @Scheduled(every = "${benchline.deployments.delete-sweep-interval:30s}", delay = 15, delayUnit = TimeUnit.SECONDS,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return Panache.withSession(() -> deployments.list(
                        "deletingSince is not null and deletedAt is null and deletingSince <= ?1",
                        Instant.now().minus(stuckAfter)))
                .onItem().transformToMulti(list -> Multi.createFrom().iterable(list))
                .onItem().transformToUniAndConcatenate(this::retry)
                .collect().asList().replaceWithVoid()
                .onFailure().invoke(f -> LOG.warnf("delete sweep failed: %s", f.toString()))
                .onFailure().recoverWithNull();
    }

    private Uni<Void> retry(Deployment d) {
        return dispatcher.tombstone(d)
                .chain(() -> management.finishDelete(d.id, d.deletedByKeyId, d.deletedByName))
                .invoke(() -> {
                    LOG.infof("finished the interrupted delete of %s", d.id);
                    artifactDeletions.wake();
                })
                .onFailure(DeploymentInUse.class).recoverWithUni(f -> {
                    LOG.infof("interrupted delete of %s released: %s", d.id, f.getMessage());
                    return management.abortDelete(d.id);
                })
                .onFailure().recoverWithUni(f -> {
                    LOG.warnf("interrupted delete of %s not settled yet: %s", d.id, f.toString());
                    return Uni.createFrom().voidItem();
                });
    }
}
