package io.benchline.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;

/** Commit metadata as shown on a deployment: sha, message, author, branch, commit time. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Commit(String sha, String message, String author, String branch, Instant timestamp) {
}
