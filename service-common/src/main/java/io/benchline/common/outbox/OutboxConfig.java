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

    /** Refused sends of one row (in a row) before it is moved to {@code outbox_failed}. */
    @WithDefault("10")
    int maxAttempts();

    /** Longest a relay pass may hold its rows locked (e.g. while the broker is away). */
    @WithDefault("30s")
    Duration passTimeout();
}
