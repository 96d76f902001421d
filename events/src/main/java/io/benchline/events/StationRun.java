package io.benchline.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;
import java.util.List;

/**
 * A run started or finished on a station (topic {@link Topics#STATION_RUNS}).
 *
 * @param phase        {@code started} or {@code finished}
 * @param outcome      when finished: passed, failed or error; else null
 * @param serialNumber the unit's serial number: the run request's, or the procedure's default (null: none known)
 * @param phases       when finished, for a TofuPilot-format procedure: each phase's outcome, in the order they ran
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
        Long durationMs,
        String serialNumber,
        List<PhaseResult> phases) {
    public StationRun(String runId, String stationId, String orgId, String procedureId, String deploymentId,
            String phase, String outcome, Instant at, Long durationMs) {
        this(runId, stationId, orgId, procedureId, deploymentId, phase, outcome, at, durationMs, null, null);
    }

    /** The phases as the JSON text the services store beside a run (null for null). */
    public static String phasesJson(List<PhaseResult> phases) {
        if (phases == null) {
            return null;
        }
        try {
            return EventCodec.mapper().writeValueAsString(phases);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write phases", e);
        }
    }

    /** Stored phases read back (null for null). */
    public static List<PhaseResult> phasesOf(String json) {
        if (json == null) {
            return null;
        }
        try {
            return EventCodec.mapper().readValue(json,
                    new com.fasterxml.jackson.core.type.TypeReference<List<PhaseResult>>() { });
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot read stored phases", e);
        }
    }

    /**
     * One phase of a run.
     *
     * @param group   setup, main or teardown
     * @param outcome pass, fail, error, timeout, skip or stop
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PhaseResult(String key, String name, String group, String outcome, Integer attempts,
            Long durationMs, String message, List<Measurement> measurements) {
    }

    /** A measurement's value (any JSON) and its validators' verdict: PASS, FAIL or UNSET. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Measurement(String key, String name, String unit, JsonNode value, String outcome) {
    }
}
