package io.benchline.deployments.api;

import java.time.Instant;
import java.util.List;

/** The logs, stations, runs and files of a deployment, each as {@code {data:[…]}}. */
public final class DetailResponses {
    private DetailResponses() {
    }

    public record LogLine(long number, Instant timestamp, String level, String text) {
    }

    public record Station(String stationId, long pointerVersion, Instant updatedAt) {
    }

    public record Run(String runId, String stationId, String procedureId, String deploymentId, Instant startedAt,
            Instant finishedAt, String outcome, Long durationMs, String serialNumber,
            List<io.benchline.events.StationRun.PhaseResult> phases) {
    }

    /** A file of a deployment's artifact: its path in the archive, size in bytes and SHA-256 (hex). */
    public record File(String path, long size, String sha256) {
    }

    public record Data<T>(List<T> data) {
    }

    /** A development deployment's session: alive until {@code session_expires_at} unless a heartbeat comes. */
    public record Session(String deploymentId, java.time.Instant sessionExpiresAt) {
    }
}
