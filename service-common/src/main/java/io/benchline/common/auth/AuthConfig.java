package io.benchline.common.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "benchline.auth")
public interface AuthConfig {
    /** Shared secret that guards /internal endpoints between services (header X-Benchline-Internal-Token). */
    String internalToken();

    /** Base URL of deployment-service, which owns API keys; other services ask it to verify keys. */
    Optional<String> deploymentServiceUrl();

    /**
     * How long a verified key is trusted before asking again: the longest a revoked key keeps working on a service
     * other than deployment-service.
     */
    @WithDefault("5s")
    Duration cacheTtl();
}
