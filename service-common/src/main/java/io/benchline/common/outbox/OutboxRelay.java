package io.benchline.common.outbox;

import io.benchline.common.notify.PgNotifications;
import io.benchline.common.notify.SafeContext;
import io.benchline.events.EventEnvelope;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.quarkus.arc.properties.IfBuildProperty;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends outbox rows to Kafka in the order they were written and deletes them once the broker
 * acknowledged them ({@code acks=all}, idempotent producer). It wakes when a transaction that wrote rows
 * commits ({@link Outbox#CHANNEL} notification) and keeps passing while passes come back full; the poll is the
 * fallback for a lost notification or a broker that was away. Rows are locked with SKIP LOCKED, so
 * several instances of a service can relay at once without sending a row twice in the normal case;
 * after a crash between send and delete a row is sent again, which consumers absorb by event id.
 * Channel {@code outbox} must be configured as a Kafka outgoing channel in the service.
 */
/** Active when {@code benchline.outbox.enabled=true} (build time). */
@IfBuildProperty(name = "benchline.outbox.enabled", stringValue = "true")
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    public static final String CHANNEL = "outbox";

    private final MutinyEmitter<String> emitter;
    private final OutboxConfig config;
    private final AtomicBoolean running = new AtomicBoolean();
    /** A wake-up arrived during a pass: pass again at its end, or that commit's rows wait for the next poll. */
    private final AtomicBoolean again = new AtomicBoolean();
    private final Vertx vertx;
    private final PgNotifications notifications;
    /** Refused sends per outbox row id, since the row was last sent or moved aside. */
    private final Map<String, Integer> failures = new java.util.concurrent.ConcurrentHashMap<>();

    // The batch size bounds what is in flight, so the emitter's buffer needs no bound of its own.
    public OutboxRelay(@Channel(CHANNEL) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER) MutinyEmitter<String> emitter,
            OutboxConfig config, Vertx vertx, PgNotifications notifications) {
        this.emitter = emitter;
        this.config = config;
        this.vertx = vertx;
        this.notifications = notifications;
    }

    void listen(@Observes StartupEvent event) {
        if (config.listen()) {
            notifications.listen(Outbox.CHANNEL, payload -> wake());
        }
    }

    /** Relays soon, on its own context; a wake-up during a pass makes that pass go on. */
    public void wake() {
        again.set(true);
        if (!running.get()) {
            SafeContext.run(vertx, "outbox relay", this::drain);
        }
    }

    // Two seconds, not minutes (Quarkus' default delay unit): the channels connect first, and rows committed
    // before a restart go out right after it.
    @Scheduled(every = "${benchline.outbox.poll-interval:1s}", delay = 2, delayUnit = TimeUnit.SECONDS,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return drain().replaceWithVoid();
    }

    /** Passes until one comes back short of a full batch and no wake-up arrived meanwhile; returns events sent. */
    public Uni<Integer> drain() {
        return pass().chain(sent -> {
            if (sent < 0) {
                return Uni.createFrom().item(0); // another pass runs; it looks at the wake-up flag when it ends
            }
            if (sent >= config.batchSize() || again.getAndSet(false)) {
                return drain().map(more -> sent + more);
            }
            return Uni.createFrom().item(sent);
        });
    }

    /**
     * One pass: returns how many events were sent. Rows of one Kafka key go out one after the other and a
     * key stops at its first failure, so a key's events never overtake each other; only acknowledged rows
     * are deleted. A row the broker refuses {@code max-attempts} times in a row (too large, topic gone) is
     * moved to {@code outbox_failed} with the error, so it cannot hold back the rows behind it for ever.
     */
    public Uni<Integer> relayOnce() {
        return pass().map(sent -> Math.max(0, sent));
    }

    /** One pass, or -1 at once when a pass is running already. */
    private Uni<Integer> pass() {
        if (!running.compareAndSet(false, true)) {
            return Uni.createFrom().item(-1);
        }
        again.set(false);
        long started = System.nanoTime();
        return Uni.createFrom().deferred(() -> Panache.withTransaction(() -> Panache.getSession().chain(session ->
                        session.createNativeQuery("select id, topic, message_key, type, cast(payload as text)"
                                        + " from outbox order by seq limit ?1 for update skip locked", Object[].class)
                                .setParameter(1, config.batchSize())
                                .getResultList()
                                .chain(rows -> rows.isEmpty() ? Uni.createFrom().item(0) : relay(session, rows)))))
                .ifNoItem().after(config.passTimeout()).fail()
                .invoke(sent -> {
                    if (sent > 0) {
                        LOG.debugf("outbox relay sent %d events in %d ms", Integer.valueOf(sent),
                                Long.valueOf((System.nanoTime() - started) / 1_000_000));
                    }
                })
                .onFailure().invoke(f -> LOG.warnf("outbox relay pass failed, will retry: %s", f.toString()))
                .onFailure().recoverWithItem(0)
                .eventually(() -> running.set(false));
    }

    private Uni<Integer> relay(org.hibernate.reactive.mutiny.Mutiny.Session session, List<Object[]> rows) {
        Map<String, List<Object[]>> byKey = new LinkedHashMap<>();
        for (Object[] row : rows) {
            byKey.computeIfAbsent(String.valueOf(row[2]), k -> new ArrayList<>()).add(row);
        }
        List<String> sent = java.util.Collections.synchronizedList(new ArrayList<>());
        Map<String, String> refused = new java.util.concurrent.ConcurrentHashMap<>();
        List<Uni<Void>> keys = new ArrayList<>();
        byKey.values().forEach(keyRows -> keys.add(sendInOrder(keyRows, 0, sent, refused)));
        return Uni.join().all(keys).andCollectFailures()
                .chain(() -> sent.isEmpty() ? Uni.createFrom().item(0)
                        : session.createNativeQuery("delete from outbox where id in (?1)")
                                .setParameter(1, new ArrayList<>(sent)).executeUpdate())
                .chain(() -> moveAside(session, refused))
                .replaceWith(sent::size);
    }

    /** Sends {@code rows[from..]} one after the other; stops at the first failure, remembering it. */
    private Uni<Void> sendInOrder(List<Object[]> rows, int from, List<String> sent, Map<String, String> refused) {
        if (from == rows.size()) {
            return Uni.createFrom().voidItem();
        }
        Object[] row = rows.get(from);
        String id = (String) row[0];
        return send(id, (String) row[1], (String) row[2], (String) row[3], (String) row[4])
                .onItem().transformToUni(ignored -> {
                    sent.add(id);
                    failures.remove(id);
                    return sendInOrder(rows, from + 1, sent, refused);
                })
                .onFailure().recoverWithUni(f -> {
                    int attempts = failures.merge(id, 1, Integer::sum);
                    LOG.warnf("outbox event %s to %s refused (attempt %d of %d): %s", id, row[1], attempts,
                            config.maxAttempts(), f.toString());
                    if (attempts >= config.maxAttempts()) {
                        refused.put(id, f.toString());
                    }
                    return Uni.createFrom().voidItem();
                });
    }

    private Uni<Void> moveAside(org.hibernate.reactive.mutiny.Mutiny.Session session, Map<String, String> refused) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Map.Entry<String, String> entry : refused.entrySet()) {
            chain = chain.chain(() -> session.createNativeQuery("insert into outbox_failed (id, aggregate_type,"
                                    + " aggregate_id, type, topic, message_key, occurred_at, payload, failed_at, error)"
                                    + " select id, aggregate_type, aggregate_id, type, topic, message_key, occurred_at,"
                                    + " payload, now(), ?2 from outbox where id = ?1")
                            .setParameter(1, entry.getKey()).setParameter(2, entry.getValue()).executeUpdate())
                    .chain(() -> session.createNativeQuery("delete from outbox where id = ?1")
                            .setParameter(1, entry.getKey()).executeUpdate())
                    .invoke(() -> {
                        failures.remove(entry.getKey());
                        LOG.errorf("outbox event %s moved to outbox_failed after %d refused sends: %s",
                                entry.getKey(), config.maxAttempts(), entry.getValue());
                    })
                    .replaceWithVoid();
        }
        return chain;
    }

    private Uni<Void> send(String id, String topic, String key, String type, String payload) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(EventEnvelope.HEADER_ID, id.getBytes(StandardCharsets.UTF_8));
        headers.add(EventEnvelope.HEADER_TYPE, type.getBytes(StandardCharsets.UTF_8));
        headers.add("content-type", "application/cloudevents+json".getBytes(StandardCharsets.UTF_8));
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(topic).withKey(key).withHeaders(headers).build();
        return emitter.sendMessage(Message.of(payload).addMetadata(metadata));
    }
}
