package io.benchline.stations.api;

import io.benchline.common.api.ProblemException;
import io.benchline.common.auth.CurrentCaller;
import io.benchline.stations.api.ApiTypes.CreateLinkRequest;
import io.benchline.stations.api.ApiTypes.CreateRunRequest;
import io.benchline.stations.api.ApiTypes.CreateStationRequest;
import io.benchline.stations.api.ApiTypes.ListResponse;
import io.benchline.stations.api.ApiTypes.PageResponse;
import io.benchline.stations.api.ApiTypes.RunRequestResponse;
import io.benchline.stations.api.ApiTypes.RunResponse;
import io.benchline.stations.api.ApiTypes.StationResponse;
import io.benchline.stations.app.DeploymentServiceClient;
import io.benchline.stations.app.DispatcherConfig;
import io.benchline.stations.app.StationService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;

/** /v2/stations: stations, their links, run requests and runs, scoped to the caller's organization. */
@Path("/v2/stations")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class StationResource {
    private final DispatcherConfig config;
    private final StationService stations;
    private final DeploymentServiceClient deploymentService;
    private final CurrentCaller caller;

    public StationResource(StationService stations, DeploymentServiceClient deploymentService, CurrentCaller caller,
            DispatcherConfig config) {
        this.config = config;
        this.stations = stations;
        this.deploymentService = deploymentService;
        this.caller = caller;
    }

    @POST
    public Uni<Response> create(CreateStationRequest request) {
        requireBody(request);
        return stations.create(caller.orgId(), request.name()).map(d -> Response
                .created(URI.create("/v2/stations/" + d.station().id)).entity(StationResponse.of(d)).build());
    }

    /** Stations in creation order, paged by cursor: {@code ?limit=} (default 100, at most 1,000) and {@code ?cursor=}. */
    @GET
    public Uni<PageResponse<StationResponse>> list(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        int pageSize = pageSize(limit);
        if (cursor != null && !cursor.matches("stn_[0-9a-z]{1,60}")) {
            throw ProblemException.invalid("cursor", "must be a next_cursor value from a previous page");
        }
        return stations.list(caller.orgId(), cursor, pageSize).map(page -> new PageResponse<>(
                page.stream().map(StationResponse::of).toList(),
                page.size() == pageSize ? page.get(page.size() - 1).station().id : null));
    }

    private int pageSize(String limit) {
        if (limit == null || limit.isBlank()) {
            return config.stationsPageSize();
        }
        int value;
        try {
            value = Integer.parseInt(limit.strip());
        } catch (NumberFormatException e) {
            value = 0;
        }
        if (value < 1 || value > config.stationsMaxPageSize()) {
            throw ProblemException.invalid("limit", "must be a whole number from 1 to " + config.stationsMaxPageSize());
        }
        return value;
    }

    @GET
    @Path("/{id}")
    public Uni<StationResponse> get(@PathParam("id") String id) {
        return stations.get(caller.orgId(), id).map(StationResponse::of);
    }

    @POST
    @Path("/{id}/links")
    public Uni<Response> link(@PathParam("id") String id, CreateLinkRequest request,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        requireBody(request);
        String orgId = caller.orgId();
        String branch = stations.validateLink(request.procedureId(), request.environment(), request.branch());
        // Another organization's station is a 404 before anything is asked of deployment-service.
        return stations.requireStation(orgId, id)
                .call(() -> deploymentService.requireProcedure(request.procedureId(), authorization))
                .chain(() -> stations.link(orgId, id, request.procedureId(), request.environment(), branch))
                .map(d -> Response.created(URI.create("/v2/stations/" + id)).entity(StationResponse.of(d)).build());
    }

    @POST
    @Path("/{id}/run-requests")
    public Uni<Response> requestRun(@PathParam("id") String id, CreateRunRequest request) {
        requireBody(request);
        return stations.requestRun(caller.orgId(), id, request.procedureId())
                .map(r -> Response.accepted(RunRequestResponse.of(r)).build());
    }

    @GET
    @Path("/{id}/runs")
    public Uni<ListResponse<RunResponse>> runs(@PathParam("id") String id) {
        return stations.runs(caller.orgId(), id).map(l -> new ListResponse<>(l.stream().map(RunResponse::of).toList()));
    }

    static void requireBody(Object body) {
        if (body == null) {
            throw ProblemException.invalid("request body is required", (java.util.List<io.benchline.common.api.Problem.FieldError>) null);
        }
    }
}
