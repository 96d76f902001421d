package io.benchline.common.outbox;

import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

/**
 * Keeps {@code processed_events} from growing for ever: ids older than {@code processed-events-retention} are
 * removed in bounded statements (each its own short transaction), so a large backlog never makes one long one.
 * Several instances may prune at once; they only delete the same old rows.
 */
@IfBuildProperty(name = "benchline.outbox.enabled", stringValue = "true")
@ApplicationScoped
public class ProcessedEventsPruner {
    private static final Logger LOG = Logger.getLogger(ProcessedEventsPruner.class);
    private final OutboxConfig config;

    public ProcessedEventsPruner(OutboxConfig config) {
        this.config = config;
    }

    @Scheduled(every = "${benchline.outbox.prune-interval:1h}", delay = 1, delayUnit = TimeUnit.MINUTES,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return prune().invoke(n -> {
            if (n > 0) {
                LOG.infof("pruned %d processed event ids older than %s", n, config.processedEventsRetention());
            }
        }).onFailure().invoke(f -> LOG.warnf("pruning processed_events failed, retried later: %s", f.toString()))
                .onFailure().recoverWithItem(0L).replaceWithVoid();
    }

    /** Removes every id older than the retention; returns how many. */
    public Uni<Long> prune() {
        OffsetDateTime before = OffsetDateTime.now(ZoneOffset.UTC).minus(config.processedEventsRetention());
        return batch(before, 0L);
    }

    private Uni<Long> batch(OffsetDateTime before, long soFar) {
        return Panache.withTransaction(() -> Panache.getSession().chain(s -> s.createNativeQuery("""
                        delete from processed_events where ctid = any(array(
                            select ctid from processed_events where processed_at < ?1 limit ?2))""")
                .setParameter(1, before).setParameter(2, config.pruneBatch()).executeUpdate()))
                .chain(n -> n < config.pruneBatch() ? Uni.createFrom().item(soFar + n) : batch(before, soFar + n));
    }
}
