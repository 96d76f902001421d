package io.benchline.events;

import java.util.Map;

/**
 * CloudEvents {@code type} values, and the record and topic each one belongs to.
 * The type also travels as the {@code ce_type} Kafka header.
 */
public final class EventTypes {
    public static final String DEPLOYMENT_REQUESTED = "io.benchline.deployment.requested";
    public static final String BUILD_REQUESTED = "io.benchline.build.requested";
    public static final String BUILD_STARTED = "io.benchline.build.started";
    public static final String BUILD_LOGS = "io.benchline.build.logs";
    public static final String BUILD_COMPLETED = "io.benchline.build.completed";
    public static final String DEPLOYMENT_LIFECYCLE = "io.benchline.deployment.lifecycle";
    public static final String POINTER_MOVED = "io.benchline.station.pointer.moved";
    public static final String STATION_RUN = "io.benchline.station.run";
    public static final String ROLLOUT_CHANGED = "io.benchline.rollout.changed";

    /** type → data record class. */
    public static final Map<String, Class<?>> DATA_CLASSES = Map.of(
            DEPLOYMENT_REQUESTED, DeploymentRequested.class,
            BUILD_REQUESTED, BuildRequested.class,
            BUILD_STARTED, BuildStarted.class,
            BUILD_LOGS, BuildLogs.class,
            BUILD_COMPLETED, BuildCompleted.class,
            DEPLOYMENT_LIFECYCLE, DeploymentEvent.class,
            POINTER_MOVED, PointerMoved.class,
            STATION_RUN, StationRun.class,
            ROLLOUT_CHANGED, RolloutEvent.class);

    /** topic → the one event type it carries. */
    public static final Map<String, String> TYPE_OF_TOPIC = Map.of(
            Topics.DEPLOYMENT_REQUESTED, DEPLOYMENT_REQUESTED,
            Topics.BUILD_REQUESTED, BUILD_REQUESTED,
            Topics.BUILD_STARTED, BUILD_STARTED,
            Topics.BUILD_LOGS, BUILD_LOGS,
            Topics.BUILD_COMPLETED, BUILD_COMPLETED,
            Topics.DEPLOYMENT_EVENTS, DEPLOYMENT_LIFECYCLE,
            Topics.STATION_POINTER_MOVED, POINTER_MOVED,
            Topics.STATION_RUNS, STATION_RUN,
            Topics.ROLLOUT_EVENTS, ROLLOUT_CHANGED);

    /** The schema file (under {@code /schemas}) of an event type's data. */
    public static String schemaFile(String type) {
        return type.substring("io.benchline.".length()) + ".schema.json";
    }

    private EventTypes() {
    }
}
