package io.benchline.stations.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Limits and tuning of station-dispatcher. */
@ConfigMapping(prefix = "benchline.dispatcher")
public interface DispatcherConfig {
    /** Longest wait for deployment-service or artifact-store on one call. */
    @WithDefault("5s")
    Duration peerTimeout();

    /** Longest station name. */
    @WithDefault("100")
    int maxNameLength();

    /** Longest preview branch name on a link. */
    @WithDefault("255")
    int maxBranchLength();

    /** Most runs returned by GET /v2/stations/{id}/runs. */
    @WithDefault("100")
    int runsPageSize();

    /** A cached presigned download URL is renewed when it expires sooner than this. */
    @WithDefault("60s")
    Duration downloadUrlRenewBefore();

    /** Attempts for a deployment event whose handling fails transiently before it goes to the dead-letter topic. */
    @WithDefault("20")
    int consumerAttempts();
}
