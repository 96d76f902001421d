package io.benchline.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.math.BigDecimal;
import java.util.List;

/** JSON bodies the commands send, snake_case on the wire; null members are left out. */
final class Requests {
    private Requests() {
    }

    /** Pin, promote, resume: an optional note for the history. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Note(String note) {
    }

    /** {@code POST /v2/stations/pins}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record BulkPin(String deploymentId, List<String> stationIds, String note) {
    }

    /** {@code POST /v2/procedures/{id}/rollback}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Rollback(String deploymentId, String note) {
    }

    /**
     * {@code POST /v2/rollouts}: {@code stageWait} ({@code wait} on the wire; a record cannot name a component
     * {@code wait}) null means every stage advances by hand; {@code canaryStationIds} null when none were named;
     * {@code gate} null: no health gate.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record NewRollout(String deploymentId, List<RolloutStage> stages, @JsonProperty("wait") String stageWait,
                      List<String> canaryStationIds, String note, RolloutGate gate) {
    }

    /**
     * A rollout's health gate; every member null (sent as {@code {}}) turns it on with the server's defaults.
     * Durations as {@code wait} is sent ({@code 5m}).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record RolloutGate(Integer minRuns, String minWait, String timeout, BigDecimal confidence,
                       BigDecimal durationTolerance) {
    }

    /** One stage of a rollout: exactly one of a station count and a percent of the procedure's stations. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record RolloutStage(Integer stations, BigDecimal percent) {
    }

    /** {@code POST /v2/api-keys}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record NewApiKey(String name, String role) {
    }

    /** {@code POST /v2/uploads}: the zip about to be PUT to the URL it answers. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record NewUpload(long sizeBytes, String sha256) {
    }

    /** {@code POST /v2/deployments} of an upload ({@code environment} preview, production or development). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record NewDeployment(String procedureId, String uploadId, String environment, Commit commit) {
    }

    /** The commit a deployment of a directory says it is; {@code sha} null (sent as null) when it is not one. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Commit(@JsonInclude(JsonInclude.Include.ALWAYS) String sha, String message, String author) {
    }
}
