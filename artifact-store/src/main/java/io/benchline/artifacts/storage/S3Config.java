package io.benchline.artifacts.storage;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

@ConfigMapping(prefix = "benchline.s3")
public interface S3Config {
    /** Endpoint the service itself uses for reads and writes (internal network). */
    String endpoint();

    /** Endpoint that presigned URLs point at: what stations can reach. Only used for signing, never called. */
    String publicEndpoint();

    String accessKey();

    String secretKey();

    /** Region used for signing; fixed so that presigning needs no network call. */
    @WithDefault("us-east-1")
    String region();

    /** Bucket holding the artifacts; created at startup when missing. */
    @WithDefault("benchline-artifacts")
    String bucket();

    /** How long startup waits for the object store to answer before giving up. */
    @WithDefault("60s")
    Duration startupTimeout();
}
