package io.benchline.webhooks.app;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Limits and peer settings of the webhook receiver ({@code benchline.webhooks.*}). */
@ConfigMapping(prefix = "benchline.webhooks")
public interface WebhooksConfig {
    /** Largest accepted webhook body; larger ones get 413. GitHub caps its payloads at 25 MiB. */
    @WithDefault("25M")
    MemorySize maxBodySize();

    /** How long a hook secret fetched from deployment-service is reused before asking again. */
    @WithDefault("60s")
    Duration secretCacheTtl();

    /**
     * A delivery whose signature does not match the cached secret asks deployment-service again (the secret may have
     * been rotated since), at most once per hook in this interval, so a flood of bad signatures costs few lookups.
     */
    @WithDefault("2s")
    Duration secretRefreshInterval();

    /** Connect and read timeout of the hook lookup; keeps our answer inside the 1 s budget. */
    @WithDefault("700ms")
    Duration hookLookupTimeout();

    /** The {@code Retry-After} sent with a 503 when the hook lookup failed (whole seconds). */
    @WithDefault("10s")
    Duration retryAfter();

    /**
     * Most pushes written in one transaction (group commit, see {@code GroupCommit}); 1 gives every push a
     * transaction of its own.
     */
    @WithDefault("64")
    int intakeBatchSize();

    /** Intake transactions open at once; pushes that arrive while all are open share the next one. */
    @WithDefault("4")
    int intakeTransactions();

    /**
     * Most pushes waiting for a transaction slot. Beyond it a push is answered 503 with {@code Retry-After} at once
     * (nothing stored, so the provider's redelivery is accepted), instead of waiting without bound while the database
     * is slow: the wait, and the memory it holds, stay bounded.
     */
    @WithDefault("2000")
    int intakeQueueLimit();
}
