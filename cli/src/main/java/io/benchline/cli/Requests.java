package io.benchline.cli;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

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

    /** {@code POST /v2/api-keys}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record NewApiKey(String name, String role) {
    }
}
