package io.benchline.deployments.app;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Nothing waits for ever: a deployment no worker took within {@code pending-timeout}, or whose worker reported
 * nothing for {@code building-timeout}, is failed with a reason that says which, also as the last line of its log.
 * Each deployment is failed in its own short transaction under its row lock, so a result arriving at the same
 * moment wins or loses cleanly (the state machine's first final state stays).
 */
@ApplicationScoped
public class StuckBuildSweeper {
    private static final Logger LOG = Logger.getLogger(StuckBuildSweeper.class);
    static final int BATCH = 100;

    private final BuildEvents builds;
    private final io.benchline.deployments.store.DeploymentRepository deployments;
    private final DeploymentServiceConfig config;

    public StuckBuildSweeper(BuildEvents builds, io.benchline.deployments.store.DeploymentRepository deployments,
            DeploymentServiceConfig config) {
        this.builds = builds;
        this.deployments = deployments;
        this.config = config;
    }

    @Scheduled(every = "${benchline.deployments.stuck-sweep-interval:30s}", delay = 20, delayUnit = TimeUnit.SECONDS,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return sweep().onFailure().invoke(f -> LOG.warnf("stuck build sweep failed, will retry: %s", f.toString()))
                .onFailure().recoverWithItem(0).replaceWithVoid();
    }

    /** One sweep; returns how many deployments it failed. */
    public Uni<Integer> sweep() {
        Duration pending = config.deployments().pendingTimeout();
        Duration building = config.deployments().buildingTimeout();
        Instant now = Clock.now();
        return Panache.withSession(() -> deployments.pendingSince(now.minus(pending), BATCH))
                .chain(ids -> failAll(ids, "no build worker took this build within " + human(pending)
                        + " (is a build-worker running? its build request may also have been unprocessable)"))
                .chain(failed -> Panache.withSession(() -> deployments.silentSince(now.minus(building), BATCH))
                        .chain(ids -> failAll(ids, "the build worker stopped reporting: nothing for " + human(building)
                                + " (it crashed or was stopped, and no other worker took the build over)"))
                        .map(more -> failed + more));
    }

    private Uni<Integer> failAll(List<String> ids, String reason) {
        return Multi.createFrom().iterable(ids)
                .onItem().transformToUniAndConcatenate(id -> builds.failStuck(id, reason))
                .filter(Boolean::booleanValue).collect().asList().map(List::size);
    }

    static String human(Duration d) {
        if (d.toMinutes() > 0 && d.toSecondsPart() == 0) {
            return d.toMinutes() + " min";
        }
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
