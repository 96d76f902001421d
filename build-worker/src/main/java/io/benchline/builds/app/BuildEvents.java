package io.benchline.builds.app;

import io.benchline.events.EventEnvelope;

import java.util.concurrent.CompletionStage;

/** Where a build's events go (Kafka in the service). */
public interface BuildEvents {
    /** Sends one event keyed by deployment id; the stage completes when the broker acknowledged it. */
    CompletionStage<Void> publish(String topic, String key, EventEnvelope envelope);
}
