package io.benchline.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;
import java.util.List;

/**
 * A batch of build log lines (topic {@link Topics#BUILD_LOGS}). Line numbers are per build and
 * start at 1, so a consumer stores each line once however often a batch is delivered.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record BuildLogs(String deploymentId, List<Line> lines) {

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Line(long number, Instant timestamp, String level, String text) {
    }
}
