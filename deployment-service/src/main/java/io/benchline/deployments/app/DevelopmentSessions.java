package io.benchline.deployments.app;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Removes development deployments {@code benchline.development.removal-delay} after their CLI session ended (the CLI
 * ended it, or no heartbeat came within {@code session-timeout}): station-dispatcher first moves every pointer off
 * it (the development stations it was pinned to follow their links again), then it is expired like a preview: the
 * record answers 410 with when and why, the log goes, and the artifact leaves S3 once no other deployment shares
 * it. A development deployment is never fanned out; one still building waits for its build to end.
 */
@ApplicationScoped
public class DevelopmentSessions {
    private static final Logger LOG = Logger.getLogger(DevelopmentSessions.class);

    private final DevelopmentConfig config;
    private final DeploymentManagement management;
    private final DispatcherClient dispatcher;

    public DevelopmentSessions(DevelopmentConfig config, DeploymentManagement management, DispatcherClient dispatcher) {
        this.config = config;
        this.management = management;
        this.dispatcher = dispatcher;
    }

    @Scheduled(every = "${benchline.development.sweep-interval:30s}", delay = 10, delayUnit = TimeUnit.SECONDS,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return config.sweepEnabled() ? pass().replaceWithVoid() : Uni.createFrom().voidItem();
    }

    /** One pass: returns how many development deployments were removed. */
    public Uni<Integer> pass() {
        return candidates().chain(ids -> Multi.createFrom().iterable(ids)
                .onItem().transformToUniAndConcatenate(id -> remove(id)
                        .onFailure().recoverWithItem(f -> {
                            LOG.debugf("development deployment %s not removed now: %s", id, f.toString());
                            return false;
                        }))
                .collect().asList()
                .map(done -> (int) done.stream().filter(Boolean::booleanValue).count())
                .invoke(n -> {
                    if (n > 0) {
                        LOG.infof("%d development deployments removed after their sessions ended", n);
                    }
                }));
    }

    private Uni<Boolean> remove(String id) {
        String reason = "its development session ended more than " + PreviewRetention.describe(config.removalDelay())
                + " ago (benchline.development.removal-delay)";
        return dispatcher.release(id, "development session ended")
                .chain(() -> management.expire(id, Environments.DEVELOPMENT, reason));
    }

    /** Final development deployments whose session ended before now minus the removal delay, oldest first. */
    private Uni<List<String>> candidates() {
        OffsetDateTime before = OffsetDateTime.now(ZoneOffset.UTC).minus(config.removalDelay());
        return Panache.withSession(() -> Panache.getSession().chain(s -> s.createNativeQuery("""
                        select d.id from deployments d
                        where d.environment = 'development' and d.deleted_at is null and d.deleting_since is null
                          and d.status in ('ready', 'failed') and d.session_expires_at < ?1
                        order by d.session_expires_at limit ?2""", String.class)
                .setParameter(1, before).setParameter(2, config.batchSize()).getResultList()));
    }
}
