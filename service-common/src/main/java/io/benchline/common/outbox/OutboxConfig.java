package io.benchline.common.outbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

@ConfigMapping(prefix = "benchline.outbox")
public interface OutboxConfig {
    /**
     * Whether this service publishes through the outbox. It is read at build time (the relay and
     * {@link Outbox} beans exist only when it is true); it is mapped here so the key is a known one.
     */
    @WithDefault("false")
    boolean enabled();

    /** Most events sent per relay pass (passes follow each other at once while they come back full). */
    @WithDefault("1000")
    int batchSize();

    /**
     * How often the relay looks for unsent rows without being woken. Committed rows wake it at once through a
     * notification; this covers a lost notification and retries after the broker was away.
     */
    @WithDefault("1s")
    Duration pollInterval();

    /** Whether the relay wakes on commit notifications ({@link Outbox#CHANNEL}); off only for tests that relay by hand. */
    @WithDefault("true")
    boolean listen();

    /**
     * Sends of one row the broker refused for good (too large, invalid topic, serialization) before it is moved to
     * {@code outbox_failed}. Transient failures (the broker away, timeouts) never count: they are retried with
     * backoff for as long as it takes.
     */
    @WithDefault("3")
    int maxAttempts();

    /** Longest one relay pass may take (reading, sending, deleting); then it is abandoned and retried. */
    @WithDefault("60s")
    Duration passTimeout();

    /** First pause after a pass met a transient failure; doubled per failed pass up to {@link #backoffMax()}. */
    @WithDefault("200ms")
    Duration backoffMin();

    /**
     * Longest pause between passes while the broker is away. It bounds how long rows wait once the broker is back: at
     * 30 s, a relay that had just begun its longest pause kept the pipeline still for 30 s after a two-minute Kafka
     * outage (fault trials). A failed pass itself takes up to {@link #maxBlock()}, so passes stay seconds apart.
     */
    @WithDefault("2s")
    Duration backoffMax();

    /** The relay producer's brokers; {@code kafka.bootstrap.servers} when absent. */
    java.util.Optional<String> bootstrapServers();

    /** The producer's linger: how long it waits to fill a batch. */
    @WithDefault("2ms")
    Duration linger();

    /** Longest {@code send} waits for topic metadata (a broker away makes it wait this long, off the event loop). */
    @WithDefault("5s")
    Duration maxBlock();

    @WithDefault("10s")
    Duration requestTimeout();

    /** Longest the producer tries to deliver one record before the relay sees a (transient) failure. */
    @WithDefault("30s")
    Duration deliveryTimeout();

    /**
     * How long consumers remember an event id in {@code processed_events}. A redelivery older than this is no
     * longer recognized as one; Kafka redelivers within minutes (uncommitted offsets, a rebalance), so days are
     * ample.
     */
    @WithDefault("14d")
    Duration processedEventsRetention();

    /** Rows removed per pruning statement (each statement is its own short transaction). */
    @WithDefault("10000")
    int pruneBatch();
}
