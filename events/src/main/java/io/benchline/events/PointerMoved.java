package io.benchline.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One move of a station's pointer for a procedure (topic {@link Topics#STATION_POINTER_MOVED}).
 *
 * @param fromDeploymentId the deployment it named before, or null
 * @param toDeploymentId   the deployment it names now, or null when cleared
 * @param reason           auto, pin, promote, rollback, rollout_stage or unlink
 * @param pointerVersion   per (station, procedure), increasing by one with each move
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PointerMoved(
        String stationId,
        String orgId,
        String procedureId,
        String fromDeploymentId,
        String toDeploymentId,
        String reason,
        long pointerVersion) {
}
