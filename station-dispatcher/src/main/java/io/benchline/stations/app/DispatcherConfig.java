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

    /** Stations per page of GET /v2/stations when the caller gives no limit. */
    @WithDefault("100")
    int stationsPageSize();

    /** Largest {@code limit} GET /v2/stations accepts. */
    @WithDefault("1000")
    int stationsMaxPageSize();

    /** Most runs returned by GET /v2/stations/{id}/runs. */
    @WithDefault("100")
    int runsPageSize();

    /** A cached presigned download URL is renewed when it expires sooner than this. */
    @WithDefault("60s")
    Duration downloadUrlRenewBefore();

    /** Longest one attempt at handling a deployment event may take before it counts as failed. */
    @WithDefault("10s")
    Duration handlerTimeout();

    /**
     * Longest a deployment event is retried (with backoff) before it goes to the dead-letter topic, so no record is
     * held past this bound while the database answers. While the database is away, events wait for it instead.
     */
    @WithDefault("30s")
    Duration handlerMaxHold();

    /** Pointers moved per fan-out chunk (one transaction each). */
    @WithDefault("1000")
    int fanoutChunkSize();

    /**
     * Agent-channel reads that may use the database at once; the rest wait their turn, so a fan-out that wakes
     * thousands of agents leaves the pool room for its own chunks. Keep it below the pool's size.
     */
    @WithDefault("6")
    int agentMaxConcurrentReads();

    /** Agent-channel reads that may wait for their turn before new ones are answered 503. */
    @WithDefault("200000")
    int agentMaxQueuedReads();

    /** A station's {@code last_seen_at} is written at most this often (every agent request would be a write). */
    @WithDefault("30s")
    Duration lastSeenResolution();

    /** Longest an agent's {@code GET /agent/v1/assignments?wait=} is held open when nothing changes. */
    @WithDefault("90s")
    Duration longPollMaxWait();

    /** The most stations one bulk pin may name. */
    @WithDefault("1000")
    int maxPinStations();

    /** Default and largest page of a station's history. */
    @WithDefault("50")
    int historyPageSize();

    @WithDefault("500")
    int historyMaxPageSize();

    /**
     * How long a station must have been idle (no run of the procedure in progress or ended within it) before it
     * switches to a staged deployment, for procedures without station settings. 0: at the first moment between runs.
     */
    @WithDefault("0s")
    Duration idleWindow();

    /**
     * How long a staged deployment may wait for an idle window, for procedures without station settings; past it
     * the station drains: no new run of the procedure starts until the run in flight ended and the switch is done.
     */
    @WithDefault("1h")
    Duration maxDeferral();

    /** The longest idle window and max deferral {@code PUT /v2/procedures/{id}/station-settings} accepts. */
    @WithDefault("7d")
    Duration maxStationSetting();
}
