package io.benchline.deployments.api;

import io.benchline.common.api.ProblemException;
import io.benchline.common.auth.CurrentCaller;
import io.benchline.common.auth.Role;
import io.benchline.deployments.app.ArtifactStoreClient;
import io.benchline.deployments.app.DeploymentContents;
import io.benchline.deployments.app.DeploymentManagement;
import io.benchline.deployments.app.DeploymentService;
import io.benchline.deployments.app.DeploymentServiceConfig;
import io.benchline.deployments.app.Environments;
import io.benchline.deployments.model.Deployment;
import io.benchline.deployments.store.DeploymentRepository.DeploymentFilter;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import org.jboss.resteasy.reactive.RestMulti;
import java.util.List;
import java.util.Map;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.util.Set;

@Path("/v2/deployments")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class DeploymentResource {
    private static final Set<String> STATUSES = Set.of(Deployment.PENDING, Deployment.BUILDING, Deployment.READY,
            Deployment.FAILED);
    private final DeploymentService deployments;
    private final CurrentCaller caller;
    private final ApiMapper mapper;
    private final DeploymentServiceConfig config;
    private final DeploymentManagement management;
    private final DeploymentContents contents;

    public DeploymentResource(DeploymentService deployments, CurrentCaller caller, ApiMapper mapper,
            DeploymentServiceConfig config, DeploymentContents contents, DeploymentManagement management) {
        this.deployments = deployments;
        this.management = management;
        this.contents = contents;
        this.caller = caller;
        this.mapper = mapper;
        this.config = config;
    }

    /** 202: the deployment is pending; the build happens asynchronously. */
    @POST
    public Uni<Response> create(DeploymentRequest body) {
        var member = caller.require(Role.MEMBER, "creating a deployment");
        if (body != null && body.uploadId() != null) {
            RequestValidation.UploadDeployment upload = RequestValidation.uploadDeployment(body);
            return deployments.createFromUpload(member.orgId(), upload.procedureId(), upload.uploadId(),
                            upload.environment(), upload.commitSha(), upload.commitMessage(), upload.commitAuthor())
                    .map(view -> Response.accepted(mapper.deployment(view))
                            .location(URI.create("/v2/deployments/" + view.deployment().id)).build());
        }
        String commitSha = RequestValidation.manualDeployment(body);
        return deployments.createManual(member.orgId(), body.procedureId(), commitSha, body.branch())
                .map(view -> Response.accepted(mapper.deployment(view))
                        .location(URI.create("/v2/deployments/" + view.deployment().id)).build());
    }

    /** A development deployment's CLI session is alive: it lasts {@code session-timeout} more (409 once it ended). */
    @POST
    @Path("/{id}/heartbeat")
    public Uni<DetailResponses.Session> heartbeat(@PathParam("id") String id) {
        var member = caller.require(Role.MEMBER, "keeping a development session alive");
        return deployments.heartbeat(member.orgId(), id)
                .map(d -> new DetailResponses.Session(d.id, d.sessionExpiresAt));
    }

    /** Ends a development deployment's session: the deployment and its artifact go {@code removal-delay} later. */
    @DELETE
    @Path("/{id}/session")
    public Uni<Response> endSession(@PathParam("id") String id) {
        var member = caller.require(Role.MEMBER, "ending a development session");
        return deployments.endSession(member.orgId(), id).map(v -> Response.noContent().build());
    }

    @GET
    public Uni<DeploymentResponse.Page> list(@QueryParam("procedure_id") String procedureId,
            @QueryParam("status") String status, @QueryParam("environment") String environment,
            @QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        String orgId = caller.require(Role.VIEWER, "listing deployments").orgId();
        if (status != null && !STATUSES.contains(status)) {
            throw ProblemException.invalid("status", "must be one of pending, building, ready, failed");
        }
        if (environment != null && !Environments.ALL.contains(environment)) {
            throw ProblemException.invalid("environment", "must be one of production, preview, development");
        }
        if (cursor != null && !cursor.matches("dep_[0-9a-z]{26}")) {
            throw ProblemException.invalid("cursor", "must be a next_cursor value from a previous page");
        }
        int pageSize = intParam("limit", limit, config.api().defaultPageSize(), 1, config.api().maxPageSize());
        return deployments.list(new DeploymentFilter(orgId, blankToNull(procedureId), status, environment,
                        cursor), pageSize)
                .map(page -> new DeploymentResponse.Page(page.data().stream().map(mapper::deployment).toList(),
                        page.nextCursor()));
    }

    @GET
    @Path("/{id}")
    public Uni<DeploymentResponse> get(@PathParam("id") String id) {
        return deployments.get(caller.require(Role.VIEWER, "reading a deployment").orgId(), id)
                .map(mapper::deployment);
    }

    /** Log lines in order; {@code after} pages on from a line number. */
    @GET
    @Path("/{id}/logs")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<DetailResponses.Data<DetailResponses.LogLine>> logs(@PathParam("id") String id,
            @QueryParam("after") String after, @QueryParam("limit") String limit) {
        String orgId = caller.require(Role.VIEWER, "reading build logs").orgId();
        long afterNumber = intParam("after", after, 0, 0, Integer.MAX_VALUE);
        int max = intParam("limit", limit, config.api().maxLogLines(), 1, config.api().maxLogLines());
        return deployments.logs(orgId, id, afterNumber, max).map(lines -> new DetailResponses.Data<>(
                lines.stream().map(l -> new DetailResponses.LogLine(l.number, l.timestamp, l.level, l.text)).toList()));
    }

    /**
     * The log live, as server-sent events: one {@code line} event per line ({@code id} its number, data the line as
     * JSON), from the line after {@code Last-Event-ID} (or {@code ?after=}), then one {@code end} event with the final
     * status once the deployment is ready or failed (its log is then complete). A quiet stream gets a comment line
     * every {@code log-stream-heartbeat}; one stream lives at most {@code log-stream-max-duration}, after which the
     * client reconnects with its Last-Event-ID. An unknown deployment or a missing role is problem JSON, not a stream.
     */
    @GET
    @Path("/{id}/logs")
    // qs below 1: a client that accepts anything (*/*) gets the JSON page; only Accept: text/event-stream streams
    @Produces("text/event-stream;qs=0.5")
    @LogStreamCheck.ExistingDeployment
    public Multi<OutboundSseEvent> followLogs(@PathParam("id") String id, @QueryParam("after") String after,
            @HeaderParam("Last-Event-ID") String lastEventId, @Context Sse sse) {
        String orgId = caller.require(Role.VIEWER, "reading build logs").orgId();
        long from = lastEventId != null && !lastEventId.isBlank()
                ? intParam("Last-Event-ID", lastEventId.strip(), 0, 0, Integer.MAX_VALUE)
                : intParam("after", after, 0, 0, Integer.MAX_VALUE);
        int page = config.api().maxLogLines();
        // LogStreamCheck refused an unknown deployment already (404 problem JSON rather than a broken stream).
        return RestMulti.fromUniResponse(deployments.logPage(orgId, id, from, page),
                first -> LogStream.of(first, from, page, sse, deployments, orgId, id, config.api()).multi(),
                first -> Map.of("Cache-Control", List.of("no-cache"), "X-Accel-Buffering", List.of("no")));
    }

    /** The stations whose pointer names this deployment. */
    @GET
    @Path("/{id}/stations")
    public Uni<DetailResponses.Data<DetailResponses.Station>> stations(@PathParam("id") String id) {
        String orgId = caller.require(Role.VIEWER, "reading a deployment's stations").orgId();
        return deployments.stations(orgId, id).map(ps -> new DetailResponses.Data<>(ps.stream()
                .map(p -> new DetailResponses.Station(p.stationId, p.pointerVersion, p.updatedAt)).toList()));
    }

    @GET
    @Path("/{id}/runs")
    public Uni<DetailResponses.Data<DetailResponses.Run>> runs(@PathParam("id") String id) {
        String orgId = caller.require(Role.VIEWER, "reading a deployment's runs").orgId();
        return deployments.runs(orgId, id, config.api().maxRuns()).map(rs -> new DetailResponses.Data<>(rs
                .stream().map(r -> new DetailResponses.Run(r.runId, r.stationId, r.procedureId, r.deploymentId,
                        r.startedAt, r.finishedAt, r.outcome, r.durationMs, r.serialNumber,
                        io.benchline.events.StationRun.phasesOf(r.phases))).toList()));
    }

    /** 202: a new pending deployment builds the failed deployment's commit again ({@code retry_of}). */
    @POST
    @Path("/{id}/rerun")
    public Uni<Response> rerun(@PathParam("id") String id) {
        var member = caller.require(Role.MEMBER, "re-running a deployment");
        return deployments.rerun(member, id)
                .map(view -> Response.accepted(mapper.deployment(view))
                        .location(URI.create("/v2/deployments/" + view.deployment().id)).build());
    }

    /** Every file of a ready deployment's artifact, in archive order, with size and SHA-256. */
    @GET
    @Path("/{id}/contents")
    public Uni<DetailResponses.Data<DetailResponses.File>> contents(@PathParam("id") String id) {
        return contents.list(caller.require(Role.VIEWER, "reading a deployment's contents").orgId(), id)
                .map(entries -> new DetailResponses.Data<>(entries.stream()
                        .map(e -> new DetailResponses.File(e.path(), e.size(), e.sha256())).toList()));
    }

    /**
     * One file of a ready deployment's artifact, streamed from artifact-store as it arrives (never held whole).
     * Blocking: the stream is copied on a worker thread.
     */
    @GET
    @Path("/{id}/contents/{path: .+}")
    @Produces(MediaType.WILDCARD)
    @Blocking
    public Response file(@PathParam("id") String id, @PathParam("path") String path) {
        String orgId = caller.require(Role.VIEWER, "reading a deployment's contents").orgId();
        String checked = RequestValidation.artifactPath(path);
        ArtifactStoreClient.FileStream file = contents.open(orgId, id, checked);
        Response.ResponseBuilder answer = Response.ok(file.body(), ContentTypes.of(checked))
                .header("X-Content-Type-Options", "nosniff");
        if (file.length() >= 0) {
            answer.header(HttpHeaders.CONTENT_LENGTH, file.length());
        }
        return answer.build();
    }

    /** 201: a new production deployment of the preview's artifact, ready at once; it fans out like a build. */
    @POST
    @Path("/{id}/promote")
    public Uni<Response> promote(@PathParam("id") String id, ManagementRequests.NoteRequest body) {
        var admin = caller.require(Role.ADMIN, "promoting a deployment");
        return management.promote(admin, id, body == null ? null : body.note())
                .map(view -> Response.created(URI.create("/v2/deployments/" + view.deployment().id))
                        .entity(mapper.deployment(view)).build());
    }

    /** 204, or 409 naming the stations whose pointers or pins still name it. Deletion is permanent. */
    @DELETE
    @Path("/{id}")
    public Uni<Response> delete(@PathParam("id") String id) {
        var admin = caller.require(Role.ADMIN, "deleting a deployment");
        return management.delete(admin, id).map(v -> Response.noContent().build());
    }

    private static int intParam(String name, String value, int fallback, int min, int max) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below like an out-of-range value
        }
        throw ProblemException.invalid(name, "must be an integer from " + min + " to " + max);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
