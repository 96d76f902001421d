package io.benchline.bench;

import io.benchline.events.DeploymentEvent;
import io.benchline.events.EventCodec;
import io.benchline.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** Follows {@code deployment.events} from its end and hands on its events as they arrive. */
final class FinalDeploymentEvents {
    interface Listener {
        void finished(DeploymentEvent event, long arrivedNanos);
    }

    /** Every event, with its record's timestamp (the producer's clock, milliseconds). */
    interface AnyListener {
        void event(DeploymentEvent event, long recordMillis);
    }

    private FinalDeploymentEvents() {
    }

    /** Every ready or failed event with when it arrived. Runs until {@code stop} is set; meant for a thread of its own. */
    static void follow(BenchStack stack, AtomicBoolean stop, Listener listener) {
        followAll(stack, stop, (e, recordMillis) -> {
            long now = System.nanoTime();
            if (DeploymentEvent.READY.equals(e.change()) || DeploymentEvent.FAILED.equals(e.change())) {
                listener.finished(e, now);
            }
        });
    }

    /** Every event. Runs until {@code stop} is set; meant for a thread of its own. */
    static void followAll(BenchStack stack, AtomicBoolean stop, AnyListener listener) {
        try (KafkaConsumer<String, String> c = stack.consumer()) {
            List<TopicPartition> parts = c.partitionsFor(Topics.DEPLOYMENT_EVENTS).stream()
                    .map(pi -> new TopicPartition(pi.topic(), pi.partition())).toList();
            c.assign(parts);
            c.seekToEnd(parts);
            parts.forEach(c::position);
            while (!stop.get()) {
                for (ConsumerRecord<String, String> rec : c.poll(Duration.ofMillis(100))) {
                    listener.event(EventCodec.data(EventCodec.parse(rec.value()), DeploymentEvent.class),
                            rec.timestamp());
                }
            }
        }
    }
}
