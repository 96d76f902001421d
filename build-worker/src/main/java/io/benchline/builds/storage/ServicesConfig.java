package io.benchline.builds.storage;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where the peers build-worker calls listen (shared keys {@code benchline.services.*}). */
@ConfigMapping(prefix = "benchline.services")
public interface ServicesConfig {
    /** Internal base URL of artifact-store (archives are uploaded there). */
    @WithDefault("http://localhost:8084")
    String artifactUrl();

    /** Internal base URL of deployment-service (repository credentials are fetched there right before a clone). */
    @WithDefault("http://localhost:8082")
    String deploymentUrl();
}
