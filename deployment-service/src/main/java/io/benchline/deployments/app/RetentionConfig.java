package io.benchline.deployments.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Expiry of preview deployments ({@code benchline.retention.*}); production deployments never expire. */
@ConfigMapping(prefix = "benchline.retention")
public interface RetentionConfig {
    /** Whether this instance expires previews (any number of instances may; each preview expires once). */
    @WithDefault("true")
    boolean enabled();

    /** A preview older than this expires, unless a station points at it or pins it. */
    @WithDefault("90d")
    Duration previewMaxAge();

    /** How often the job looks (read by its {@code @Scheduled}). */
    @WithDefault("1h")
    Duration interval();

    /** Most previews expired per pass. */
    @WithDefault("100")
    int batchSize();
}
