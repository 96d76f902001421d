package io.benchline.deployments.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Development deployments ({@code benchline dev}) and their CLI sessions ({@code benchline.development.*}). */
@ConfigMapping(prefix = "benchline.development")
public interface DevelopmentConfig {
    /** A session without a heartbeat for this long has ended. */
    @WithDefault("2m")
    Duration sessionTimeout();

    /** How often the CLI is told to send a heartbeat (well below the timeout). */
    @WithDefault("20s")
    Duration heartbeatInterval();

    /** How long after its session ended a development deployment and its artifact are removed. */
    @WithDefault("10m")
    Duration removalDelay();

    /** Whether this instance removes ended sessions' deployments (any number may; each is removed once). */
    @WithDefault("true")
    boolean sweepEnabled();

    /** How often the remover looks (read by its {@code @Scheduled}). */
    @WithDefault("30s")
    Duration sweepInterval();

    /** Most deployments removed per pass. */
    @WithDefault("50")
    int batchSize();
}
