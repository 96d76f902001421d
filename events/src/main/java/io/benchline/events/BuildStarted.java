package io.benchline.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;

/** A worker took a build (topic {@link Topics#BUILD_STARTED}). */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record BuildStarted(String deploymentId, String workerId, Instant startedAt) {
}
