package io.benchline.stations.rollouts;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.TimeUnit;

/**
 * Advances rollouts whose stage wait is over. The timer is {@code advance_at} in the rollout's row, so a stopped or
 * killed dispatcher picks it up where it was; any number of instances may tick: each advance re-reads the row under
 * its lock and does nothing when another instance was first.
 */
@ApplicationScoped
public class RolloutTicker {
    private final Rollouts rollouts;

    public RolloutTicker(Rollouts rollouts) {
        this.rollouts = rollouts;
    }

    @Scheduled(every = "${benchline.rollouts.tick:1s}", delay = 2, delayUnit = TimeUnit.SECONDS,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> tick() {
        return rollouts.advanceDue(20).replaceWithVoid().onFailure().recoverWithNull();
    }
}
