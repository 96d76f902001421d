package io.benchline.stations.app;

import io.smallrye.config.ConfigMapping;

/** Internal base URLs of the peers this service calls. */
@ConfigMapping(prefix = "benchline.services")
public interface ServicesConfig {
    /** deployment-service, asked whether a procedure exists for the caller (BENCHLINE_SERVICES_DEPLOYMENT_URL). */
    String deploymentUrl();

    /** artifact-store, asked for presigned download URLs (BENCHLINE_SERVICES_ARTIFACT_URL). */
    String artifactUrl();
}
