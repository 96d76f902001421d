package io.benchline.builds.storage;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where artifact-store listens (shared key {@code benchline.services.artifact-url}). */
@ConfigMapping(prefix = "benchline.services")
public interface ArtifactStoreConfig {
    /** Internal base URL of artifact-store. */
    @WithDefault("http://localhost:8084")
    String artifactUrl();
}
