package io.benchline.artifacts.uploads;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Uploads of working trees by the CLI ({@code benchline.uploads.*}). */
@ConfigMapping(prefix = "benchline.uploads")
public interface UploadsConfig {
    /** Largest upload a caller may announce (413 above); builds enforce the same limit on the bytes they read. */
    @WithDefault("95M")
    MemorySize maxSize();

    /** How long the presigned PUT URL works (capped at {@link #ttl()}). */
    @WithDefault("15m")
    Duration urlTtl();

    /** How long an upload is kept for builds (and re-runs of them) before the sweeper removes it. */
    @WithDefault("24h")
    Duration ttl();

    /** Whether this instance removes expired uploads (any number of instances may: rows are claimed). */
    @WithDefault("true")
    boolean sweepEnabled();

    /** How often the sweeper looks (read by its {@code @Scheduled}). */
    @WithDefault("5m")
    Duration sweepInterval();

    /** Most uploads removed per sweeper transaction. */
    @WithDefault("100")
    int sweepBatchSize();
}
