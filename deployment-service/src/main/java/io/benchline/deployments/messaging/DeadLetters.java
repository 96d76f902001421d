package io.benchline.deployments.messaging;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.nio.charset.StandardCharsets;

/**
 * Dead letters of the batch consumer of station.pointer.moved. A batch channel's own dead-letter strategy would
 * send the whole batch, good records too; this sends just the unusable record, with the headers SmallRye's
 * strategy sets ({@code dead-letter-reason}, {@code dead-letter-topic}, {@code dead-letter-partition},
 * {@code dead-letter-offset}), to the same topic.
 */
@ApplicationScoped
public class DeadLetters {
    public static final String POINTER_MOVED_CHANNEL = "pointer-moved-dead-letters";

    private final MutinyEmitter<String> pointerMoved;

    public DeadLetters(@Channel(POINTER_MOVED_CHANNEL) MutinyEmitter<String> pointerMoved) {
        this.pointerMoved = pointerMoved;
    }

    public Uni<Void> pointerMoved(ConsumerRecord<String, String> record, String reason) {
        RecordHeaders headers = new RecordHeaders();
        record.headers().forEach(headers::add);
        headers.add("dead-letter-reason", reason.getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-topic", record.topic().getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-partition", Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-offset", Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
        var metadata = OutgoingKafkaRecordMetadata.<String>builder().withKey(record.key()).withHeaders(headers).build();
        return pointerMoved.sendMessage(Message.of(record.value()).addMetadata(metadata));
    }
}
