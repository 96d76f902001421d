package io.benchline.common.notify;

import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * PostgreSQL LISTEN/NOTIFY on the service's own database, over one dedicated connection that reconnects by
 * itself. A {@code pg_notify} issued inside a transaction is delivered only when that transaction commits, so a
 * listener hears of a change exactly when it became visible, in this instance and in every other one. Listeners
 * must treat a notification as a hint (a lost one is covered by their own polling), never as the data itself.
 */
@IfBuildProperty(name = "benchline.outbox.enabled", stringValue = "true")
@ApplicationScoped
public class PgNotifications {
    private static final Logger LOG = Logger.getLogger(PgNotifications.class);
    /** Longest payload PostgreSQL accepts for one notification is 8000 bytes; stay below it. */
    public static final int MAX_PAYLOAD = 7900;

    private final Vertx vertx;
    private final String url;
    private final String user;
    private final String password;
    private final Map<String, List<Consumer<String>>> listeners = new ConcurrentHashMap<>();
    private volatile PgSubscriber subscriber;
    private volatile boolean connected;
    /** Channels with a notification on its way, and those asked for again meanwhile (see {@link #notifySoon}). */
    private final Map<String, Boolean> sending = new ConcurrentHashMap<>();

    public PgNotifications(Vertx vertx, @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") String user,
            @ConfigProperty(name = "quarkus.datasource.password") String password) {
        this.vertx = vertx;
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** Calls {@code listener} (on a Vert.x event loop; it must not block) for every notification on the channel. */
    public void listen(String channel, Consumer<String> listener) {
        listeners.computeIfAbsent(channel, c -> {
            PgSubscriber s = subscriber;
            if (s != null) {
                s.channel(c).handler(payload -> dispatch(c, payload));
            }
            return new CopyOnWriteArrayList<>();
        }).add(listener);
    }

    void start(@Observes StartupEvent event) {
        PgConnectOptions options = PgConnectOptions.fromUri(url.startsWith("vertx-reactive:")
                ? url.substring("vertx-reactive:".length()) : url).setUser(user).setPassword(password);
        PgSubscriber s = PgSubscriber.subscriber(vertx, options)
                // Reconnect for ever, a second apart: the database may be restarted under a running service.
                .reconnectPolicy(retries -> 1000L);
        listeners.keySet().forEach(c -> s.channel(c).handler(payload -> dispatch(c, payload)));
        s.closeHandler(v -> {
            connected = false;
            LOG.debug("notification connection closed");
        });
        subscriber = s;
        connect(s);
    }

    private void connect(PgSubscriber s) {
        s.connect().onSuccess(v -> connected = true).onFailure(f -> {
            LOG.warnf("cannot listen for notifications yet, retrying (polling covers the gap): %s", f.toString());
            vertx.setTimer(2000, id -> {
                if (subscriber == s) {
                    connect(s);
                }
            });
        });
    }

    /** Whether the LISTEN connection is up (notifications sent now will be heard). */
    public boolean connected() {
        return connected;
    }

    /**
     * Sends one notification on {@code channel} from the listening connection, outside any transaction, so no
     * writer's commit waits for it. Calls made while one is on its way collapse into a single one sent after it:
     * a burst of commits costs a few notifications, not one each. Skipped while the connection is down (listeners
     * poll as well).
     */
    public void notifySoon(String channel) {
        while (true) {
            Boolean onItsWay = sending.putIfAbsent(channel, Boolean.FALSE);
            if (onItsWay == null) {
                send(channel);
                return;
            }
            if (onItsWay || sending.replace(channel, Boolean.FALSE, Boolean.TRUE)) {
                return; // the sender sends one more when its current one is answered
            }
            // the sender finished meanwhile: start one ourselves
        }
    }

    private void send(String channel) {
        PgSubscriber s = subscriber;
        if (s == null || !connected || s.actualConnection() == null) {
            sending.remove(channel);
            return;
        }
        s.actualConnection().preparedQuery("select pg_notify($1, '')").execute(io.vertx.sqlclient.Tuple.of(channel))
                .onComplete(ar -> {
                    if (ar.failed()) {
                        LOG.debugf("notification on %s not sent (polling covers it): %s", channel, ar.cause().toString());
                    }
                    // Only the sender removes the entry; anyone else only turns FALSE into TRUE. So a failed
                    // remove means someone asked again while this one was on its way: one more, for their commits.
                    if (!sending.remove(channel, Boolean.FALSE)) {
                        sending.put(channel, Boolean.FALSE);
                        send(channel);
                    }
                });
    }

    void stop(@Observes ShutdownEvent event) {
        PgSubscriber s = subscriber;
        subscriber = null;
        if (s != null) {
            s.close();
        }
    }

    private void dispatch(String channel, String payload) {
        for (Consumer<String> listener : listeners.getOrDefault(channel, List.of())) {
            try {
                listener.accept(payload);
            } catch (RuntimeException e) {
                LOG.warnf("listener of %s failed: %s", channel, e.toString());
            }
        }
    }
}
