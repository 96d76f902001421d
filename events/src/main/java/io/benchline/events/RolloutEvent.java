package io.benchline.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One change of a rolling rollout (topic {@link Topics#ROLLOUT_EVENTS}), the same change as the rollout's history
 * entry, with the rollout's state after it, so a consumer needs no call back to station-dispatcher.
 *
 * @param action what changed: created, advanced, completed, paused, resumed, aborted, superseded or needs_attention
 * @param state  the rollout's state after the change: running, paused, completed, aborted, superseded or
 *               needs_attention (an advance to the last stage is already completed, as is a one-stage rollout's
 *               created)
 * @param stage  the stage (from 0) the change is about: the one entered for created and advanced, the current one
 *               for the others
 * @param actor  who caused the change ({@link ActorRef#SYSTEM} for a stage timer, the health gate, a plan or a newer
 *               deployment)
 * @param note   the caller's note or the platform's reason (the gate's verdict, the newer deployment), or null. The
 *               gate's figures are not carried: the rollout's history in the API has them
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RolloutEvent(
        String rolloutId,
        String orgId,
        String procedureId,
        String deploymentId,
        String action,
        String state,
        int stage,
        ActorRef actor,
        String note) {

    public static final String CREATED = "created";
    public static final String ADVANCED = "advanced";
    public static final String COMPLETED = "completed";
    public static final String PAUSED = "paused";
    public static final String RESUMED = "resumed";
    public static final String ABORTED = "aborted";
    public static final String SUPERSEDED = "superseded";
    public static final String NEEDS_ATTENTION = "needs_attention";
}
