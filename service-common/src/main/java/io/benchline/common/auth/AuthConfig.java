package io.benchline.common.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "benchline.auth")
public interface AuthConfig {
    /**
     * Shared secret that guards /internal endpoints between services (header X-Benchline-Internal-Token).
     * Optional here only so that {@code InternalTokenCheck} (service-startup), not the config loader, explains a
     * missing one: outside dev and test a service does not start without a usable token.
     */
    @WithName("internal-token")
    Optional<String> configuredInternalToken();

    /** The internal token; fails when none is configured (only possible in dev and test). */
    default String internalToken() {
        return configuredInternalToken().orElseThrow(() -> new IllegalStateException(
                "benchline.auth.internal-token is not set (BENCHLINE_AUTH_INTERNAL_TOKEN)"));
    }

    /** Base URL of deployment-service, which owns API keys; other services ask it to verify keys. */
    Optional<String> deploymentServiceUrl();

    /**
     * How long a verified key is trusted before asking again: the longest a revoked key keeps working on a service
     * other than deployment-service.
     */
    @WithDefault("5s")
    Duration cacheTtl();
}
