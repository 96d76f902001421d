package io.benchline.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;

/**
 * A build's result (topic {@link Topics#BUILD_COMPLETED}).
 *
 * @param outcome        {@code ready} or {@code failed}
 * @param failureReason  a readable reason when failed, else null
 * @param commit         the commit that was built (resolved from a branch when the request named none)
 * @param artifact       the stored, signed archive when ready, else null
 * @param logLineCount   how many lines the worker published on {@link Topics#BUILD_LOGS} (all acknowledged before
 *                       this event was sent), so a consumer can tell when it has the whole log; null from producers
 *                       older than this field: the log length is unknown
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record BuildCompleted(
        String deploymentId,
        String outcome,
        String failureReason,
        Instant startedAt,
        Instant endedAt,
        Commit commit,
        String runtimeVersion,
        String platform,
        String language,
        String entryPoint,
        ArtifactRef artifact,
        Long logLineCount) {

    public static final String READY = "ready";
    public static final String FAILED = "failed";
}
