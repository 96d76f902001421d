package io.benchline.common.outbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

@ConfigMapping(prefix = "benchline.outbox")
public interface OutboxConfig {
    /** Most events sent per relay pass. */
    @WithDefault("200")
    int batchSize();

    /** Outbox rows older than this that were sent are kept for audit no longer. Sent rows are deleted at once today. */
    @WithDefault("PT0.25S")
    Duration pollInterval();
}
