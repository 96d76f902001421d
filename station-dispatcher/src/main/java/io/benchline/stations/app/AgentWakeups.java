package io.benchline.stations.app;

import io.benchline.common.notify.PgNotifications;
import io.benchline.common.notify.SafeContext;
import io.benchline.stations.store.AgentSnapshotQuery;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wakes agents that wait on {@code GET /agent/v1/assignments?wait=...}. A change of a station's assignments sends
 * its id on {@link #CHANNEL} in the changing transaction; PostgreSQL delivers it on commit to every dispatcher
 * instance, and each wakes the watches of that station it holds, handing them the station's state read once for all
 * the stations of the notification. A watch is opened before the state is read, so a change committed between
 * that read and the wait is not missed.
 */
@ApplicationScoped
public class AgentWakeups {
    public static final String CHANNEL = "benchline_agents";

    private final PgNotifications notifications;
    private final AgentSnapshotQuery snapshots;
    private final Vertx vertx;
    private final Map<String, Set<Watch>> watches = new ConcurrentHashMap<>();

    public AgentWakeups(PgNotifications notifications, AgentSnapshotQuery snapshots, Vertx vertx) {
        this.notifications = notifications;
        this.snapshots = snapshots;
        this.vertx = vertx;
    }

    /** What ended a wait: a change, with the station's state read for it when that read succeeded, or the timeout. */
    public record Wake(boolean changed, AgentService.Snapshot snapshot) {
        static final Wake TIMEOUT = new Wake(false, null);
    }

    void listen(@Observes StartupEvent event) {
        notifications.listen(CHANNEL, this::woken);
    }

    /**
     * A fan-out chunk wakes up to a thousand held requests at once. Rather than each reading its station again,
     * the stations of one notification are read together, in one statement, and each watch gets its own state.
     */
    private void woken(String payload) {
        List<String> held = new ArrayList<>();
        for (String stationId : payload.split(",")) {
            if (watches.containsKey(stationId)) {
                held.add(stationId);
            }
        }
        if (held.isEmpty()) {
            return;
        }
        SafeContext.run(vertx, "agent wake-up", () -> snapshots.readStations(held)
                .invoke(rows -> held.forEach(id -> {
                    AgentSnapshotQuery.Row row = rows.get(id);
                    fire(id, row == null ? null
                            : new AgentService.Snapshot(row.stationId(), row.orgId(), row.pointers(), row.runRequests()));
                }))
                // Without the state the woken requests read it themselves.
                .onFailure().invoke(f -> held.forEach(id -> fire(id, null))));
    }

    private void fire(String stationId, AgentService.Snapshot snapshot) {
        Set<Watch> set = watches.get(stationId);
        if (set != null) {
            set.forEach(w -> w.fire(snapshot));
        }
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

    /** One waiting request. A wake-up that comes before {@link #next} is kept (the newest one), not lost. */
    public final class Watch implements AutoCloseable {
        private final String stationId;
        private final Context context;
        private Wake fired;
        private UniEmitter<? super Wake> waiting;

        private Watch(String stationId, Context context) {
            this.stationId = stationId;
            this.context = context;
        }

        /** The next change, or {@link Wake#TIMEOUT} when {@code max} passed first; continues on the request's context. */
        public Uni<Wake> next(Duration max) {
            Uni<Wake> wait = Uni.createFrom().<Wake>emitter(emitter -> {
                Wake now;
                synchronized (this) {
                    now = fired;
                    fired = null;
                    if (now == null) {
                        waiting = emitter;
                    }
                }
                if (now != null) {
                    emitter.complete(now);
                }
            }).ifNoItem().after(max).recoverWithItem(Wake.TIMEOUT).invoke(() -> {
                synchronized (this) {
                    waiting = null;
                }
            });
            return context == null ? wait : wait.emitOn(command -> context.runOnContext(v -> command.run()));
        }

        void fire(AgentService.Snapshot snapshot) {
            Wake wake = new Wake(true, snapshot);
            UniEmitter<? super Wake> emitter;
            synchronized (this) {
                emitter = waiting;
                waiting = null;
                if (emitter == null) {
                    fired = wake;
                }
            }
            if (emitter != null) {
                emitter.complete(wake);
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
