package io.benchline.stations.app;

import io.benchline.common.notify.PgNotifications;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wakes agents that wait on {@code GET /agent/v1/assignments?wait=...}. A change of a station's assignments sends
 * its id on {@link #CHANNEL} in the changing transaction; PostgreSQL delivers it on commit to every dispatcher
 * instance, and each wakes the watches of that station it holds. A watch is opened before the state is read, so a
 * change committed between that read and the wait is not missed.
 */
@ApplicationScoped
public class AgentWakeups {
    public static final String CHANNEL = "benchline_agents";

    private final PgNotifications notifications;
    private final Map<String, Set<Watch>> watches = new ConcurrentHashMap<>();

    public AgentWakeups(PgNotifications notifications) {
        this.notifications = notifications;
    }

    void listen(@Observes StartupEvent event) {
        notifications.listen(CHANNEL, payload -> {
            for (String stationId : payload.split(",")) {
                Set<Watch> set = watches.get(stationId);
                if (set != null) {
                    set.forEach(Watch::fire);
                }
            }
        });
    }

    /**
     * Tells the agents of these stations, once the caller's transaction commits, that their assignments changed.
     * One statement whatever the number of stations (payloads are split below PostgreSQL's 8000-byte limit).
     */
    public Uni<Void> notifyStations(Collection<String> stationIds) {
        if (stationIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        StringBuilder groups = new StringBuilder();
        int groupLength = 0;
        for (String id : stationIds) {
            if (groupLength > 0 && groupLength + id.length() + 1 > PgNotifications.MAX_PAYLOAD) {
                groups.append(';');
                groupLength = 0;
            } else if (groupLength > 0) {
                groups.append(',');
                groupLength++;
            }
            groups.append(id);
            groupLength += id.length();
        }
        return Panache.getSession().chain(session -> session.createNativeQuery(
                        "select count(*) from (select pg_notify('" + CHANNEL + "', g)"
                                + " from unnest(string_to_array(cast(?1 as text), ';')) g) n", Long.class)
                .setParameter(1, groups.toString())
                .getSingleResult())
                .replaceWithVoid();
    }

    /** Opens a watch of one station's assignments; close it when done (also on cancellation). */
    public Watch watch(String stationId) {
        Watch watch = new Watch(stationId, Vertx.currentContext());
        watches.computeIfAbsent(stationId, id -> ConcurrentHashMap.newKeySet()).add(watch);
        return watch;
    }

    /** Watches currently open, for metrics and tests. */
    public int openWatches() {
        return watches.values().stream().mapToInt(Set::size).sum();
    }

    /** One waiting request. A wake-up that comes before {@link #next} is kept, not lost. */
    public final class Watch implements AutoCloseable {
        private final String stationId;
        private final Context context;
        private boolean fired;
        private UniEmitter<? super Boolean> waiting;

        private Watch(String stationId, Context context) {
            this.stationId = stationId;
            this.context = context;
        }

        /** True when woken, false when {@code max} passed first; continues on the request's own context. */
        public Uni<Boolean> next(Duration max) {
            Uni<Boolean> wait = Uni.createFrom().<Boolean>emitter(emitter -> {
                synchronized (this) {
                    if (fired) {
                        fired = false;
                        emitter.complete(true);
                    } else {
                        waiting = emitter;
                    }
                }
            }).ifNoItem().after(max).recoverWithItem(false).invoke(() -> {
                synchronized (this) {
                    waiting = null;
                }
            });
            return context == null ? wait : wait.emitOn(command -> context.runOnContext(v -> command.run()));
        }

        void fire() {
            UniEmitter<? super Boolean> emitter;
            synchronized (this) {
                emitter = waiting;
                waiting = null;
                fired = emitter == null;
            }
            if (emitter != null) {
                emitter.complete(true);
            }
        }

        @Override
        public void close() {
            watches.computeIfPresent(stationId, (id, set) -> {
                set.remove(this);
                return set.isEmpty() ? null : set;
            });
        }
    }
}
