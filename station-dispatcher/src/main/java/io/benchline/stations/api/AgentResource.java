package io.benchline.stations.api;

import io.benchline.stations.api.ApiTypes.ArtifactView;
import io.benchline.stations.api.ApiTypes.AssignedRunRequest;
import io.benchline.stations.api.ApiTypes.Assignment;
import io.benchline.stations.api.ApiTypes.AssignmentsResponse;
import io.benchline.stations.api.ApiTypes.PointerReportRequest;
import io.benchline.stations.api.ApiTypes.PointerResponse;
import io.benchline.stations.api.ApiTypes.RunReportRequest;
import io.benchline.stations.api.ApiTypes.RunResponse;
import io.benchline.stations.app.AgentService;
import io.benchline.stations.app.DispatcherConfig;
import io.benchline.stations.app.LongPoll;
import io.benchline.stations.store.AgentSnapshotQuery;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.Duration;
import java.util.List;

/** The agent channel: Bearer agent token, as returned once when the station was created. */
@Path("/agent/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AgentResource {
    private final AgentService agents;
    private final LongPoll longPoll;
    private final DispatcherConfig config;

    public AgentResource(AgentService agents, LongPoll longPoll, DispatcherConfig config) {
        this.agents = agents;
        this.longPoll = longPoll;
        this.config = config;
    }

    /**
     * What the station should run. With {@code If-None-Match} naming the current {@code ETag} and {@code wait}
     * (seconds, up to {@code long-poll-max-wait}), the answer is held until the assignments or run requests change
     * (200 with the new state) or the wait ends (304): a connected agent learns of a change as soon as it commits,
     * and an idle one costs one request per wait. The ETag is derived from the state itself, so it stays valid
     * across dispatcher restarts and instances.
     */
    @GET
    @Path("/assignments")
    public Uni<Response> assignments(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch, @QueryParam("wait") String wait) {
        Duration hold = longPoll.holdFor(wait);
        if (ifNoneMatch == null || hold.isZero()) {
            return longPoll.snapshot(authorization).chain(snapshot -> answer(snapshot, ifNoneMatch));
        }
        return longPoll.await(authorization, ifNoneMatch, hold).chain(snapshot -> snapshot == null
                ? Uni.createFrom().item(Response.notModified(LongPoll.unquote(ifNoneMatch)).build())
                : answer(snapshot, ifNoneMatch));
    }

    private Uni<Response> answer(AgentService.Snapshot snapshot, String ifNoneMatch) {
        String etag = LongPoll.etag(snapshot);
        if (LongPoll.matches(ifNoneMatch, etag)) {
            return Uni.createFrom().item(Response.notModified(etag).build());
        }
        agents.traceDelivered(snapshot);
        return render(snapshot).map(body -> Response.ok(body).tag(etag).build());
    }

    private Uni<AssignmentsResponse> render(AgentService.Snapshot snapshot) {
        List<AssignedRunRequest> requests = snapshot.runRequests().stream()
                .map(r -> new AssignedRunRequest(r.id(), r.procedureId(), r.serialNumber())).toList();
        return agents.assigned(snapshot).map(list -> new AssignmentsResponse(snapshot.stationId(), snapshot.organizationId(), list.stream()
                .map(a -> {
                    AgentSnapshotQuery.AssignedPointer p = a.pointer();
                    return new Assignment(p.procedureId(), p.deploymentId(), p.pointerVersion(), null,
                            new ArtifactView(p.digest(), p.sizeBytes() == null ? 0 : p.sizeBytes(), p.signature(),
                                    p.keyId()), a.downloadUrl(),
                            p.idleWindowSeconds() == null ? config.idleWindow().toSeconds() : p.idleWindowSeconds(),
                            p.maxDeferralSeconds() == null ? config.maxDeferral().toSeconds()
                                    : p.maxDeferralSeconds());
                }).toList(), requests));
    }

    /**
     * The signing keys the station trusts: its organization's public keys, active and retired, shaped like
     * {@code GET /v2/keys}. {@code ETag}; {@code If-None-Match} with it answers 304, so an agent refreshing
     * periodically costs one small request.
     */
    @GET
    @Path("/keys")
    public Uni<Response> keys(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
        return agents.trustedKeys(authorization, ifNoneMatch).map(keys -> keys.body() == null
                ? Response.notModified(new jakarta.ws.rs.core.EntityTag(keys.etag())).build()
                : Response.ok(keys.body(), MediaType.APPLICATION_JSON)
                        .tag(new jakarta.ws.rs.core.EntityTag(keys.etag())).build());
    }

    @PUT
    @Path("/pointers/{procedure_id}")
    public Uni<PointerResponse> reportPointer(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @PathParam("procedure_id") String procedureId, PointerReportRequest request) {
        StationResource.requireBody(request);
        return agents.reportPointer(authorization, procedureId, request.deploymentId(), request.pointerVersion())
                .map(PointerResponse::of);
    }

    /**
     * What the agent does with a deployment of the procedure before (and when) it runs it: downloading, installing,
     * staged, active, or failed with the reason (an install's output, say); the active version stays meanwhile.
     */
    @PUT
    @Path("/pointers/{procedure_id}/state")
    public Uni<PointerResponse> reportPointerState(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @PathParam("procedure_id") String procedureId, ApiTypes.PointerStateRequest request) {
        StationResource.requireBody(request);
        return agents.reportPointerState(authorization, procedureId, request.deploymentId(), request.state(),
                request.reason()).map(PointerResponse::of);
    }

    /** 202 for a new report (published asynchronously on station.runs), 200 for a retried one. */
    @POST
    @Path("/runs")
    public Uni<Response> reportRun(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            RunReportRequest request) {
        StationResource.requireBody(request);
        return agents.reportRun(authorization, new AgentService.RunReport(request.runId(), request.procedureId(),
                        request.deploymentId(), request.phase(), request.outcome(), request.at(), request.durationMs(),
                        request.runRequestId(), request.serialNumber() == null ? null : request.serialNumber().strip(),
                        request.phaseResults()))
                .map(result -> Response.status(result.recorded() ? 202 : 200)
                        .entity(RunResponse.of(result.run())).build());
    }
}
