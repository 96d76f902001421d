package io.benchline.stations.api;

import io.benchline.stations.app.RunPhases;
import io.benchline.common.api.ProblemException;
import io.benchline.common.auth.Caller;
import io.benchline.common.auth.CurrentCaller;
import io.benchline.common.auth.Role;
import io.benchline.stations.api.ApiTypes.ActorView;
import io.benchline.stations.api.ApiTypes.BulkPinRequest;
import io.benchline.stations.api.ApiTypes.BulkPinResponse;
import io.benchline.stations.api.ApiTypes.CreateLinkRequest;
import io.benchline.stations.api.ApiTypes.CreateRunRequest;
import io.benchline.stations.api.ApiTypes.CreateStationRequest;
import io.benchline.stations.api.ApiTypes.HistoryView;
import io.benchline.stations.api.ApiTypes.ListResponse;
import io.benchline.stations.api.ApiTypes.PageResponse;
import io.benchline.stations.api.ApiTypes.PinRequest;
import io.benchline.stations.api.ApiTypes.PinnedView;
import io.benchline.stations.api.ApiTypes.PointerResponse;
import io.benchline.stations.api.ApiTypes.RunRequestResponse;
import io.benchline.stations.api.ApiTypes.RunResponse;
import io.benchline.stations.api.ApiTypes.StationResponse;
import io.benchline.stations.app.DispatcherConfig;
import io.benchline.stations.app.ExplicitMoves;
import io.benchline.stations.app.StationService;
import io.benchline.stations.store.HistoryRepository;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.util.List;

/**
 * /v2/stations: stations, their links, pins, run requests, runs and history, scoped to the caller's organization.
 * Each method checks the caller's role, parses, calls one use case and maps its result.
 */
@Path("/v2/stations")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class StationResource {
    private final DispatcherConfig config;
    private final StationService stations;
    private final ExplicitMoves moves;
    private final CurrentCaller caller;

    public StationResource(StationService stations, ExplicitMoves moves, CurrentCaller caller,
            DispatcherConfig config) {
        this.config = config;
        this.stations = stations;
        this.moves = moves;
        this.caller = caller;
    }

    @POST
    public Uni<Response> create(CreateStationRequest request) {
        Caller c = caller.require(Role.ADMIN, "registering a station");
        requireBody(request);
        return stations.create(c.orgId(), request.name(), Boolean.TRUE.equals(request.development())).map(d -> Response
                .created(URI.create("/v2/stations/" + d.station().id)).entity(StationResponse.of(d)).build());
    }

    /** Stations in creation order, paged by cursor: {@code ?limit=} (default 100, at most 1,000) and {@code ?cursor=}. */
    @GET
    public Uni<PageResponse<StationResponse>> list(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        int pageSize = pageSize("limit", limit, config.stationsPageSize(), config.stationsMaxPageSize());
        if (cursor != null && !cursor.matches("stn_[0-9a-z]{1,60}")) {
            throw ProblemException.invalid("cursor", "must be a next_cursor value from a previous page");
        }
        return stations.list(caller.orgId(), cursor, pageSize).map(page -> new PageResponse<>(
                page.stream().map(StationResponse::of).toList(),
                page.size() == pageSize ? page.get(page.size() - 1).station().id : null));
    }

    @GET
    @Path("/{id}")
    public Uni<StationResponse> get(@PathParam("id") String id) {
        return stations.get(caller.orgId(), id).map(StationResponse::of);
    }

    /** Marks a station for development deployments, or unmarks it (admin). */
    @PATCH
    @Path("/{id}")
    public Uni<StationResponse> update(@PathParam("id") String id, ApiTypes.UpdateStationRequest request) {
        Caller c = caller.require(Role.ADMIN, "changing a station");
        requireBody(request);
        if (request.development() == null) {
            throw ProblemException.invalid("development", "is required: true or false");
        }
        return stations.setDevelopment(c.orgId(), id, request.development()).map(StationResponse::of);
    }

    @POST
    @Path("/{id}/links")
    public Uni<Response> link(@PathParam("id") String id, CreateLinkRequest request,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        Caller c = caller.require(Role.MEMBER, "linking a procedure");
        requireBody(request);
        return stations.link(c.orgId(), id, request.procedureId(), request.environment(), request.branch(),
                        authorization)
                .map(d -> Response.created(URI.create("/v2/stations/" + id)).entity(StationResponse.of(d)).build());
    }

    /** Unlinks a procedure: the pointer is cleared, the agent drops the procedure after a run in flight. */
    @DELETE
    @Path("/{id}/links/{procedure_id}")
    public Uni<Response> unlink(@PathParam("id") String id, @PathParam("procedure_id") String procedureId) {
        Caller c = caller.require(Role.MEMBER, "unlinking a procedure");
        return moves.unlink(c.orgId(), id, procedureId, c.actor()).map(v -> Response.noContent().build());
    }

    /** Pins a deployment to this station (the product page's route). The body ({@code note}) is optional. */
    @POST
    @Path("/{id}/deployments/{deployment_id}")
    public Uni<PointerResponse> pin(@PathParam("id") String id, @PathParam("deployment_id") String deploymentId,
            PinRequest request) {
        Caller c = caller.require(Role.MEMBER, "pinning a deployment");
        return moves.pin(c.orgId(), deploymentId, List.of(id), c.actor(), request == null ? null : request.note())
                .chain(result -> stations.pointer(c.orgId(), id, result.procedureId()))
                .map(PointerResponse::of);
    }

    /** Releases the pin; the pointer follows its procedure again. */
    @DELETE
    @Path("/{id}/deployments/{deployment_id}")
    public Uni<PointerResponse> unpin(@PathParam("id") String id, @PathParam("deployment_id") String deploymentId) {
        Caller c = caller.require(Role.MEMBER, "unpinning a deployment");
        return moves.unpin(c.orgId(), id, deploymentId, c.actor()).map(PointerResponse::of);
    }

    /** Pins one deployment to many stations in one call, all or nothing. */
    @POST
    @Path("/pins")
    public Uni<BulkPinResponse> pinMany(BulkPinRequest request) {
        Caller c = caller.require(Role.MEMBER, "pinning a deployment");
        requireBody(request);
        return moves.pin(c.orgId(), request.deploymentId(), request.stationIds(), c.actor(), request.note())
                .map(r -> new BulkPinResponse(r.deploymentId(), r.procedureId(), r.pinned().size(), r.pinned().stream()
                        .map(p -> new PinnedView(p.stationId(), p.fromDeploymentId(), p.pointerVersion(), p.moved()))
                        .toList()));
    }

    /** Pointer moves, pins, unpins and unlinks of the station, newest first, paged by cursor. */
    @GET
    @Path("/{id}/history")
    public Uni<PageResponse<HistoryView>> history(@PathParam("id") String id, @QueryParam("limit") String limit,
            @QueryParam("cursor") String cursor) {
        int pageSize = pageSize("limit", limit, config.historyPageSize(), config.historyMaxPageSize());
        Long before = null;
        if (cursor != null) {
            if (!cursor.matches("hst_[0-9]{1,18}")) {
                throw ProblemException.invalid("cursor", "must be a next_cursor value from a previous page");
            }
            before = Long.parseLong(cursor.substring(4));
        }
        return moves.history(caller.orgId(), id, before, pageSize).map(page -> new PageResponse<>(
                page.stream().map(StationResource::view).toList(),
                page.size() == pageSize ? "hst_" + page.get(page.size() - 1).seq() : null));
    }

    /** One entry of a station's timeline: its kind and the fields that apply to it. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record TimelineView(java.time.Instant at, String kind, String reason, String procedureId,
            String fromDeploymentId, String deploymentId, Long pointerVersion, String by, String note, String outcome,
            String runId, String serialNumber) {
    }

    /**
     * Everything that happened on the station, newest first: pointer moves (with their reason), pins, unpins and
     * unlinks, what the agent did with each deployment (downloading, installing, staged, active, failed with the
     * reason) and runs (started, finished with the outcome). Paged: {@code ?limit=} and {@code ?cursor=}.
     */
    @GET
    @Path("/{id}/timeline")
    public Uni<PageResponse<TimelineView>> timeline(@PathParam("id") String id, @QueryParam("limit") String limit,
            @QueryParam("cursor") String cursor) {
        int pageSize = pageSize("limit", limit, config.historyPageSize(), config.historyMaxPageSize());
        java.time.Instant beforeAt = null;
        String beforeKey = null;
        if (cursor != null) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^tl_([0-9]{1,19})_([a-z0-9_]{1,40})$")
                    .matcher(cursor);
            if (!m.matches()) {
                throw ProblemException.invalid("cursor", "must be a next_cursor value from a previous page");
            }
            long micros = Long.parseLong(m.group(1));
            beforeAt = java.time.Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1000);
            beforeKey = m.group(2);
        }
        return stations.timeline(caller.orgId(), id, beforeAt, beforeKey, pageSize).map(page -> {
            String next = null;
            if (page.size() == pageSize) {
                var last = page.get(page.size() - 1);
                long micros = last.at().getEpochSecond() * 1_000_000 + last.at().getNano() / 1000;
                next = "tl_" + micros + "_" + last.key();
            }
            return new PageResponse<>(page.stream().map(e -> new TimelineView(e.at(), e.kind(), e.reason(),
                    e.procedureId(), e.fromDeploymentId(), e.deploymentId(), e.pointerVersion(), e.actorName(),
                    e.note(), e.outcome(), e.runId(), e.serialNumber())).toList(), next);
        });
    }

    @POST
    @Path("/{id}/run-requests")
    public Uni<Response> requestRun(@PathParam("id") String id, CreateRunRequest request) {
        Caller c = caller.require(Role.MEMBER, "requesting a run");
        requireBody(request);
        return stations.requestRun(c.orgId(), id, request.procedureId(),
                        RunPhases.serial("serial_number", request.serialNumber()))
                .map(r -> Response.accepted(RunRequestResponse.of(r)).build());
    }

    @GET
    @Path("/{id}/runs")
    public Uni<ListResponse<RunResponse>> runs(@PathParam("id") String id) {
        return stations.runs(caller.orgId(), id).map(l -> new ListResponse<>(l.stream().map(RunResponse::of).toList()));
    }

    private static HistoryView view(HistoryRepository.Entry e) {
        return new HistoryView("hst_" + e.seq(), e.at(), e.action(), e.reason(), e.stationId(), e.procedureId(),
                e.fromDeploymentId(), e.toDeploymentId(), e.pointerVersion(),
                new ActorView(e.actorKeyId(), e.actorName()), e.note());
    }

    private static int pageSize(String name, String limit, int fallback, int max) {
        if (limit == null || limit.isBlank()) {
            return fallback;
        }
        int value;
        try {
            value = Integer.parseInt(limit.strip());
        } catch (NumberFormatException e) {
            value = 0;
        }
        if (value < 1 || value > max) {
            throw ProblemException.invalid(name, "must be a whole number from 1 to " + max);
        }
        return value;
    }

    static void requireBody(Object body) {
        if (body == null) {
            throw ProblemException.invalid("request body is required", (List<io.benchline.common.api.Problem.FieldError>) null);
        }
    }
}
