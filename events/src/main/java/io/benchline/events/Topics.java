package io.benchline.events;

import java.util.List;

/** Kafka topic names. Code and tests use these constants; nothing spells a topic by hand. */
public final class Topics {
    /** A verified, normalized git push. Key: repository. */
    public static final String DEPLOYMENT_REQUESTED = "deployment.requested";
    /** A pending deployment to build. Key: deployment id. */
    public static final String BUILD_REQUESTED = "build.requested";
    /** A worker took a build. Key: deployment id. */
    public static final String BUILD_STARTED = "build.started";
    /** Timestamped build log lines. Key: deployment id. */
    public static final String BUILD_LOGS = "build.logs";
    /** A build's result: artifact or failure reason. Key: deployment id. */
    public static final String BUILD_COMPLETED = "build.completed";
    /** Every deployment lifecycle change. Key: deployment id. */
    public static final String DEPLOYMENT_EVENTS = "deployment.events";
    /** One station pointer move. Key: station id. */
    public static final String STATION_POINTER_MOVED = "station.pointer.moved";
    /** Run started / finished on a station. Key: station id. */
    public static final String STATION_RUNS = "station.runs";
    /** Every change of a rollout, with its state after it. Key: rollout id. */
    public static final String ROLLOUT_EVENTS = "rollout.events";

    /** Every topic, in pipeline order. */
    public static final List<String> ALL = List.of(DEPLOYMENT_REQUESTED, BUILD_REQUESTED, BUILD_STARTED, BUILD_LOGS,
            BUILD_COMPLETED, DEPLOYMENT_EVENTS, STATION_POINTER_MOVED, STATION_RUNS, ROLLOUT_EVENTS);

    private Topics() {
    }
}
