package io.benchline.common.outbox;

import io.benchline.events.EventEnvelope;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends outbox rows to Kafka in the order they were written and deletes them once the broker
 * acknowledged them ({@code acks=all}, idempotent producer). Rows are locked with SKIP LOCKED, so
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
    private final AtomicBoolean pending = new AtomicBoolean();

    public OutboxRelay(@Channel(CHANNEL) MutinyEmitter<String> emitter, OutboxConfig config) {
        this.emitter = emitter;
        this.config = config;
    }

    /** A hint that rows were written; the next scheduled pass picks them up either way. */
    void wakeUpAfterCommit() {
        pending.set(true);
    }

    // Two seconds, not minutes (Quarkus' default delay unit): the channels connect first, and rows committed
    // before a restart go out right after it.
    @Scheduled(every = "${benchline.outbox.poll-interval:1s}", delay = 2, delayUnit = TimeUnit.SECONDS,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return relayOnce().replaceWithVoid();
    }

    /** One pass: returns how many events were sent. */
    public Uni<Integer> relayOnce() {
        if (!running.compareAndSet(false, true)) {
            return Uni.createFrom().item(0);
        }
        pending.set(false);
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> session.createNativeQuery(
                                "select id, topic, message_key, type, cast(payload as text) from outbox order by seq"
                                        + " limit ?1 for update skip locked", Object[].class)
                        .setParameter(1, config.batchSize())
                        .getResultList()
                        .chain(rows -> {
                            if (rows.isEmpty()) {
                                return Uni.createFrom().item(0);
                            }
                            List<Uni<Void>> sends = new ArrayList<>();
                            List<String> ids = new ArrayList<>();
                            for (Object[] row : rows) {
                                ids.add((String) row[0]);
                                sends.add(send((String) row[0], (String) row[1], (String) row[2], (String) row[3],
                                        (String) row[4]));
                            }
                            return Uni.join().all(sends).andFailFast()
                                    .chain(() -> session.createNativeQuery("delete from outbox where id in (?1)")
                                            .setParameter(1, ids).executeUpdate())
                                    .replaceWith(rows.size());
                        })))
                .onFailure().invoke(f -> LOG.warnf("outbox relay pass failed, will retry: %s", f.toString()))
                .onFailure().recoverWithItem(0)
                .eventually(() -> running.set(false));
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
