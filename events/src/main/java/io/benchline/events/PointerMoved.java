package io.benchline.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One move of a station's pointer for a procedure (topic {@link Topics#STATION_POINTER_MOVED}).
 *
 * @param fromDeploymentId the deployment it named before, or null
 * @param toDeploymentId   the deployment it names now, or null when cleared
 * @param reason           auto, pin, unpin, promote, rollback, rollout_stage or unlink
 * @param pointerVersion   per (station, procedure), increasing by one with each move
 * @param actor            who caused the move ({@link ActorRef#SYSTEM} for an automatic fan-out)
 * @param note             the caller's note, or null
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PointerMoved(
        String stationId,
        String orgId,
        String procedureId,
        String fromDeploymentId,
        String toDeploymentId,
        String reason,
        long pointerVersion,
        ActorRef actor,
        String note) {

    public static final String AUTO = "auto";
    public static final String PIN = "pin";
    public static final String UNPIN = "unpin";
    public static final String PROMOTE = "promote";
    public static final String ROLLBACK = "rollback";
    public static final String UNLINK = "unlink";

    /** An automatic move: the platform's own, without a note. */
    public PointerMoved(String stationId, String orgId, String procedureId, String fromDeploymentId,
            String toDeploymentId, String reason, long pointerVersion) {
        this(stationId, orgId, procedureId, fromDeploymentId, toDeploymentId, reason, pointerVersion, ActorRef.SYSTEM,
                null);
    }
}
