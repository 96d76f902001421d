package io.benchline.deployments.api;

import java.time.Instant;
import java.util.List;

/** The logs, stations and runs of a deployment, each as {@code {data:[…]}}. */
public final class DetailResponses {
    private DetailResponses() {
    }

    public record LogLine(long number, Instant timestamp, String level, String text) {
    }

    public record Station(String stationId, long pointerVersion, Instant updatedAt) {
    }

    public record Run(String runId, String stationId, String procedureId, String deploymentId, Instant startedAt,
            Instant finishedAt, String outcome, Long durationMs) {
    }

    public record Data<T>(List<T> data) {
    }
}
