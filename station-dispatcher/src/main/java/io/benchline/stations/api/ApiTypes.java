package io.benchline.stations.api;

import io.benchline.events.StationRun;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.benchline.common.api.MultiLine;
import io.benchline.stations.app.StationDetails;
import io.benchline.stations.model.Link;
import io.benchline.stations.model.Pointer;
import io.benchline.stations.model.Run;
import io.benchline.stations.model.RunRequest;

import java.time.Instant;
import java.util.List;

/** Request and response bodies of /v2/stations and /agent/v1 (snake_case on the wire). Mapped explicitly from entities. */
public final class ApiTypes {
    private ApiTypes() {
    }

    /** @param development marks the station for development deployments (default false) */
    public record CreateStationRequest(String name, Boolean development) {
    }

    /** Body of PATCH /v2/stations/{id}: absent fields stay as they are. */
    public record UpdateStationRequest(Boolean development) {
    }

    public record CreateLinkRequest(String procedureId, String environment, String branch) {
    }

    public record CreateRunRequest(String procedureId, String serialNumber) {
    }

    public record StationResponse(String id, String name, boolean development, Instant createdAt,
            Instant lastSeenAt, List<LinkResponse> links, List<PointerResponse> pointers,
            @JsonInclude(JsonInclude.Include.NON_NULL) String agentToken) {

        static StationResponse of(StationDetails d) {
            return new StationResponse(d.station().id, d.station().name, d.station().development,
                    d.station().createdAt, d.station().lastSeenAt,
                    d.links().stream().map(LinkResponse::of).toList(),
                    d.pointers().stream().map(PointerResponse::of).toList(), d.agentToken());
        }
    }

    public record LinkResponse(String procedureId, String environment, String branch, Instant createdAt) {
        static LinkResponse of(Link l) {
            return new LinkResponse(l.procedureId, l.environment, l.branch, l.createdAt);
        }
    }

    public record PointerResponse(String stationId, String procedureId, String deploymentId, Long sequence,
            long pointerVersion, Instant movedAt, String actualDeploymentId, Instant actualReportedAt, boolean pinned,
            PinView pin, AgentStateView agentState, Instant stagedSince) {
        static PointerResponse of(Pointer p) {
            return new PointerResponse(p.stationId, p.procedureId, p.deploymentId, p.sequence, p.pointerVersion,
                    p.movedAt, p.actualDeploymentId, p.actualReportedAt, p.isPinned(),
                    p.isPinned() ? new PinView(p.pinnedAt, new ActorView(p.pinnedByKeyId, p.pinnedByName)) : null,
                    p.agentState == null ? null : new AgentStateView(p.agentStateDeploymentId, p.agentState,
                            p.agentStateReason, p.agentStateAt), p.stagedSince);
        }
    }

    /** What the agent last said it does with a deployment of the pointer. */
    public record AgentStateView(String deploymentId, String state, String reason, Instant at) {
    }

    public record PointerStateRequest(String deploymentId, String state, String reason) {
    }

    /** Who pinned a pointer, and when. */
    public record PinView(Instant since, ActorView by) {
    }

    public record ActorView(String keyId, String name) {
    }

    public record PinRequest(@MultiLine String note) {
    }

    public record BulkPinRequest(String deploymentId, List<String> stationIds, @MultiLine String note) {
    }

    public record PinnedView(String stationId, String fromDeploymentId, long pointerVersion, boolean moved) {
    }

    public record BulkPinResponse(String deploymentId, String procedureId, int pinned, List<PinnedView> pointers) {
    }

    public record HistoryView(String id, Instant at, String action, String reason, String stationId,
            String procedureId, String fromDeploymentId, String toDeploymentId, Long pointerVersion, ActorView actor,
            String note) {
    }

    /** Body of deployment-service's internal delete check. */
    public record TombstoneRequest(String orgId, String procedureId, Long sequence, String environment, String branch,
            String status) {
    }

    public record RunRequestResponse(String id, String stationId, String procedureId, Instant createdAt,
            Instant claimedAt, String runId, String serialNumber) {
        static RunRequestResponse of(RunRequest r) {
            return new RunRequestResponse(r.id, r.stationId, r.procedureId, r.createdAt, r.claimedAt, r.runId,
                    r.serialNumber);
        }
    }

    public record RunResponse(String id, String stationId, String procedureId, String deploymentId,
            String runRequestId, String status, String outcome, Instant startedAt, Instant finishedAt,
            Long durationMs, String serialNumber, List<StationRun.PhaseResult> phases) {
        static RunResponse of(Run r) {
            return new RunResponse(r.id, r.stationId, r.procedureId, r.deploymentId, r.runRequestId,
                    r.finishedAt != null ? "finished" : "running", r.outcome, r.startedAt, r.finishedAt, r.durationMs,
                    r.serialNumber, io.benchline.stations.app.RunPhases.read(r.phases));
        }
    }

    public record ListResponse<T>(List<T> data) {
    }

    /** A page of a list; {@code next_cursor} is null on the last page. */
    public record PageResponse<T>(List<T> data, String nextCursor) {
    }

    // Agent channel

    public record AssignmentsResponse(String stationId, String organizationId, List<Assignment> assignments,
            List<AssignedRunRequest> runRequests) {
    }

    /**
     * What a station runs for a procedure, and how it switches to it: once idle for {@code idle_window_seconds}, or
     * draining after {@code max_deferral_seconds} staged.
     */
    public record Assignment(String procedureId, String deploymentId, long pointerVersion,
            @JsonInclude(JsonInclude.Include.NON_NULL) String entryPoint, ArtifactView artifact,
            String downloadUrl, long idleWindowSeconds, long maxDeferralSeconds) {
    }

    public record ArtifactView(String digest, long sizeBytes, String signature, String keyId) {
    }

    public record AssignedRunRequest(String id, String procedureId, String serialNumber) {
    }

    public record PointerReportRequest(String deploymentId, Long pointerVersion) {
    }

    public record RunReportRequest(String runId, String procedureId, String deploymentId, String phase,
            String outcome, Instant at, Long durationMs, String runRequestId, String serialNumber,
            List<StationRun.PhaseResult> phaseResults) {
    }
}
