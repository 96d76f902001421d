package io.benchline.builds.storage;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;

import java.util.Optional;

/** The shared secret sent to other services' {@code /internal/**} endpoints. */
@ConfigMapping(prefix = "benchline.auth")
public interface InternalAuthConfig {
    /**
     * Value of header X-Benchline-Internal-Token (BENCHLINE_AUTH_INTERNAL_TOKEN). Optional here only so that
     * {@code InternalTokenCheck} (service-startup) explains a missing one; outside dev and test the worker does
     * not start without a usable token.
     */
    @WithName("internal-token")
    Optional<String> configuredInternalToken();

    /** The internal token; fails when none is configured (only possible in dev and test). */
    default String internalToken() {
        return configuredInternalToken().orElseThrow(() -> new IllegalStateException(
                "benchline.auth.internal-token is not set (BENCHLINE_AUTH_INTERNAL_TOKEN)"));
    }
}
