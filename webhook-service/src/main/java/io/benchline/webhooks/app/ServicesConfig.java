package io.benchline.webhooks.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Internal base URLs of the Benchline peers this service calls ({@code benchline.services.*}). */
@ConfigMapping(prefix = "benchline.services")
public interface ServicesConfig {
    /** deployment-service, which owns webhooks and their secrets ({@code /internal/v1/hooks/{id}}). */
    @WithDefault("http://localhost:8082")
    String deploymentUrl();
}
