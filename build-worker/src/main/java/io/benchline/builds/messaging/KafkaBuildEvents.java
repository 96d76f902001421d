package io.benchline.builds.messaging;

import io.benchline.builds.app.BuildEvents;
import io.benchline.events.EventCodec;
import io.benchline.events.EventEnvelope;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;

/**
 * Publishes build events directly (the worker has no database, so no outbox) on channel {@code build-events}
 * (idempotent producer, acks=all); the topic, the key (deployment id) and the CloudEvents headers are set per record.
 */
@ApplicationScoped
public class KafkaBuildEvents implements BuildEvents {
    public static final String CHANNEL = "build-events";

    private final MutinyEmitter<String> emitter;

    public KafkaBuildEvents(@Channel(CHANNEL) MutinyEmitter<String> emitter) {
        this.emitter = emitter;
    }

    @Override
    public CompletionStage<Void> publish(String topic, String key, EventEnvelope envelope) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(EventEnvelope.HEADER_ID, envelope.id().getBytes(StandardCharsets.UTF_8));
        headers.add(EventEnvelope.HEADER_TYPE, envelope.type().getBytes(StandardCharsets.UTF_8));
        headers.add("content-type", "application/cloudevents+json".getBytes(StandardCharsets.UTF_8));
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(topic).withKey(key).withHeaders(headers).build();
        return emitter.sendMessage(Message.of(EventCodec.toJson(envelope)).addMetadata(metadata))
                .subscribeAsCompletionStage();
    }
}
