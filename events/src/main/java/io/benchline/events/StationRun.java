package io.benchline.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;

/**
 * A run started or finished on a station (topic {@link Topics#STATION_RUNS}).
 *
 * @param phase   {@code started} or {@code finished}
 * @param outcome when finished: passed, failed or error; else null
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record StationRun(
        String runId,
        String stationId,
        String orgId,
        String procedureId,
        String deploymentId,
        String phase,
        String outcome,
        Instant at,
        Long durationMs) {
}
