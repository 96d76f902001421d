package io.benchline.common.outbox;

import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The relay's Kafka producer: the Kafka client's own {@link KafkaProducer} (idempotent, {@code acks=all}), not a
 * reactive-messaging channel, so a pass of a thousand events costs one batched round trip instead of a thousand
 * trips through the channel's per-message machinery. {@code send} may block while metadata is fetched (up to
 * {@code max-block}), so it runs on a thread of its own, never on an event loop.
 */
@IfBuildProperty(name = "benchline.outbox.enabled", stringValue = "true")
@ApplicationScoped
public class OutboxProducer {
    private final KafkaProducer<String, String> producer;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "outbox-producer");
        t.setDaemon(true);
        return t;
    });

    public OutboxProducer(OutboxConfig config,
            @ConfigProperty(name = "kafka.bootstrap.servers", defaultValue = "localhost:9092") String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers().orElse(bootstrap));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        props.put(ProducerConfig.LINGER_MS_CONFIG, (int) config.linger().toMillis());
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, config.maxBlock().toMillis());
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) config.requestTimeout().toMillis());
        // The delivery timeout must cover linger plus the request timeout (the client refuses less).
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                (int) Math.max(config.deliveryTimeout().toMillis(),
                        config.requestTimeout().toMillis() + config.linger().toMillis()));
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "benchline-outbox-relay");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    /** Sends one record; the Uni completes on the producer's I/O thread once the broker acknowledged it. */
    public Uni<Void> send(String topic, String key, Headers headers, String value) {
        return Uni.createFrom().emitter(emitter -> sender.execute(() -> {
            try {
                producer.send(new ProducerRecord<>(topic, null, key, value, headers), (metadata, failure) -> {
                    if (failure == null) {
                        emitter.complete(null);
                    } else {
                        emitter.fail(failure);
                    }
                });
            } catch (RuntimeException e) {
                // send itself refuses: metadata not available in max-block, a record too large, serialization
                emitter.fail(e);
            }
        }));
    }

    void stop(@Observes ShutdownEvent event) {
        sender.shutdown();
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
