package io.benchline.deployments.app;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Finalizes builds whose result has waited {@code benchline.deployments.log-wait} for log lines that never came
 * (a batch the broker lost, a consumer far behind), so no deployment stays building for ever. Works in bounded
 * batches, one transaction each; several instances may sweep at once (rows are taken with SKIP LOCKED).
 */
@ApplicationScoped
public class LogWaitSweeper {
    private static final Logger LOG = Logger.getLogger(LogWaitSweeper.class);

    private final BuildEvents builds;
    private final DeploymentServiceConfig config;

    public LogWaitSweeper(BuildEvents builds, DeploymentServiceConfig config) {
        this.builds = builds;
        this.config = config;
    }

    @Scheduled(every = "${benchline.deployments.log-sweep-interval:1s}", delay = 2, delayUnit = TimeUnit.SECONDS,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return sweep()
                .onFailure().invoke(f -> LOG.warnf("log wait sweep failed, will retry: %s", f.toString()))
                .onFailure().recoverWithItem(0)
                .replaceWithVoid();
    }

    /** Finalizes every build held longer than the log wait; returns how many. */
    public Uni<Integer> sweep() {
        Instant heldBefore = Clock.now().minus(config.deployments().logWait());
        return sweep(heldBefore, Math.max(1, config.deployments().logSweepBatchSize()), 0);
    }

    private Uni<Integer> sweep(Instant heldBefore, int batchSize, int doneSoFar) {
        return builds.finalizeOverdue(heldBefore, batchSize).map(java.util.List::size).chain(done -> done < batchSize
                ? Uni.createFrom().item(doneSoFar + done)
                : sweep(heldBefore, batchSize, doneSoFar + done));
    }
}
