package io.benchline.common.outbox;

import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * One active relay per service, whatever the number of instances: the relay works only while it holds a
 * session-level PostgreSQL advisory lock on a connection of its own. The lock lives exactly as long as that
 * connection, so a killed instance hands it on as soon as the database notices the connection is gone, and no
 * row lock or transaction is needed while events travel to Kafka. Before each pass the connection is checked with
 * a round trip; a leader that lost its connection stops relaying before another may have taken over.
 */
@IfBuildProperty(name = "benchline.outbox.enabled", stringValue = "true")
@ApplicationScoped
public class RelayLeadership {
    private static final Logger LOG = Logger.getLogger(RelayLeadership.class);
    /** The advisory lock key: one per database, and every service has a database of its own. */
    public static final String LOCK_SQL = "select pg_try_advisory_lock(hashtextextended('benchline:outbox-relay', 0))";

    private final Vertx vertx;
    private final PgConnectOptions options;
    private volatile PgConnection connection;
    private volatile boolean leader;

    public RelayLeadership(Vertx vertx, @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") String user,
            @ConfigProperty(name = "quarkus.datasource.password") String password) {
        this.vertx = vertx;
        this.options = PgConnectOptions.fromUri(url.startsWith("vertx-reactive:")
                ? url.substring("vertx-reactive:".length()) : url).setUser(user).setPassword(password);
    }

    /** Whether this instance may relay now: holds the lock on a live connection, or just took it. */
    public Uni<Boolean> ensure() {
        PgConnection c = connection;
        if (c != null && leader) {
            return Uni.createFrom().completionStage(c.query("select 1").execute().toCompletionStage())
                    .map(rows -> true)
                    .onFailure().recoverWithItem(f -> {
                        LOG.warnf("the relay's lock connection failed; relaying stops until it is back: %s",
                                f.toString());
                        drop(c);
                        return false;
                    });
        }
        return acquire();
    }

    private Uni<Boolean> acquire() {
        Uni<PgConnection> open = connection != null ? Uni.createFrom().item(connection)
                : Uni.createFrom().completionStage(PgConnection.connect(vertx, options).toCompletionStage())
                        .invoke(c -> {
                            connection = c;
                            c.closeHandler(v -> {
                                if (connection == c) {
                                    connection = null;
                                    leader = false;
                                }
                            });
                        });
        return open.chain(c -> Uni.createFrom().completionStage(c.query(LOCK_SQL).execute().toCompletionStage())
                        .map(rows -> rows.iterator().next().getBoolean(0)))
                .invoke(took -> {
                    if (took && !leader) {
                        LOG.info("this instance relays the outbox (holds the relay lock)");
                    }
                    leader = took;
                })
                .onFailure().recoverWithItem(f -> {
                    LOG.debugf("cannot take the relay lock now: %s", f.toString());
                    PgConnection c = connection;
                    if (c != null) {
                        drop(c);
                    }
                    return false;
                });
    }

    /** Whether the last check found this instance the relay. */
    public boolean isLeader() {
        return leader;
    }

    private void drop(PgConnection c) {
        if (connection == c) {
            connection = null;
        }
        leader = false;
        c.close();
    }

    void stop(@Observes ShutdownEvent event) {
        PgConnection c = connection;
        connection = null;
        leader = false;
        if (c != null) {
            c.close();
        }
    }
}
