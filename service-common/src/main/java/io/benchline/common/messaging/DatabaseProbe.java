package io.benchline.common.messaging;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import java.time.Duration;

/**
 * Whether the service's own database answers now (one {@code select 1}, given up after 3 s). Kafka handlers ask it
 * when an event keeps failing: while the database is away the failure says nothing about the event, which no
 * handler could apply anyway, so they keep retrying instead of sending a valid event to the dead-letter topic (a
 * lost effect); once it answers, a failure that persists is the event's own.
 */
@ApplicationScoped
public class DatabaseProbe {
    static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final Instance<Pool> pool;

    public DatabaseProbe(Instance<Pool> pool) {
        this.pool = pool;
    }

    public Uni<Boolean> answers() {
        if (!pool.isResolvable()) {
            return Uni.createFrom().item(true);
        }
        return pool.get().query("select 1").execute()
                .ifNoItem().after(TIMEOUT).fail()
                .map(rows -> true)
                .onFailure().recoverWithItem(false);
    }
}
