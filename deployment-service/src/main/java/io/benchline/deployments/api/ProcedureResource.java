package io.benchline.deployments.api;

import io.benchline.common.auth.CurrentCaller;
import io.benchline.common.auth.Role;
import io.benchline.deployments.app.DeploymentManagement;
import io.benchline.deployments.app.DeploymentServiceConfig;
import io.benchline.deployments.app.ProcedureService;
import io.benchline.deployments.app.ReconcileConfig;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.util.List;

@Path("/v2/procedures")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ProcedureResource {
    private final ProcedureService procedures;
    private final CurrentCaller caller;
    private final ApiMapper mapper;
    private final DeploymentManagement management;
    private final DeploymentServiceConfig config;
    private final ReconcileConfig reconcileLimits;

    public ProcedureResource(ProcedureService procedures, CurrentCaller caller, ApiMapper mapper,
            DeploymentManagement management, DeploymentServiceConfig config, ReconcileConfig reconcileLimits) {
        this.reconcileLimits = reconcileLimits;
        this.procedures = procedures;
        this.management = management;
        this.config = config;
        this.caller = caller;
        this.mapper = mapper;
    }

    /** 201 with the webhook secret: the only time it is shown. */
    @POST
    public Uni<Response> create(ProcedureRequest body) {
        var admin = caller.require(Role.ADMIN, "creating a procedure");
        var spec = RequestValidation.newProcedure(body, reconcileLimits);
        return procedures.create(admin.orgId(), spec).map(p -> Response
                .created(URI.create("/v2/procedures/" + p.id)).entity(mapper.procedure(p, true)).build());
    }

    @GET
    public Uni<ProcedureList> list() {
        return procedures.list(caller.require(Role.VIEWER, "listing procedures").orgId())
                .map(ps -> new ProcedureList(ps.stream().map(p -> mapper.procedure(p, false)).toList()));
    }

    @GET
    @Path("/{id}")
    public Uni<ProcedureResponse> get(@PathParam("id") String id) {
        return procedures.get(caller.require(Role.VIEWER, "reading a procedure").orgId(), id)
                .map(p -> mapper.procedure(p, false));
    }

    @PATCH
    @Path("/{id}")
    public Uni<ProcedureResponse> update(@PathParam("id") String id, ProcedureRequest body) {
        var admin = caller.require(Role.ADMIN, "changing a procedure");
        var change = RequestValidation.procedureChange(body, reconcileLimits);
        return procedures.update(admin.orgId(), id, change).map(p -> mapper.procedure(p, false));
    }

    /**
     * 200 with a new webhook secret, the only time it is shown; the hook's URLs stay. Deliveries signed with the old
     * one are refused once webhook-service's cache of it expires (60 s by default).
     */
    @POST
    @Path("/{id}/webhook-secret")
    @Consumes(MediaType.WILDCARD) // takes no body: a bare POST, or one with any body, which is ignored
    public Uni<ProcedureResponse> rotateWebhookSecret(@PathParam("id") String id) {
        var admin = caller.require(Role.ADMIN, "rotating a webhook secret");
        return procedures.rotateHookSecret(admin, id).map(p -> mapper.procedure(p, true));
    }

    /**
     * 202: every production station of the procedure is sent back to the deployment (between runs) and auto-push
     * pauses until a resume or the next promote.
     */
    @POST
    @Path("/{id}/rollback")
    public Uni<Response> rollback(@PathParam("id") String id, ManagementRequests.RollbackRequest body) {
        var admin = caller.require(Role.ADMIN, "rolling back a procedure");
        String deploymentId = RequestValidation.rollback(body);
        return management.rollback(admin, id, deploymentId, body.note())
                .map(p -> Response.accepted(mapper.procedure(p, false)).build());
    }

    @POST
    @Path("/{id}/resume")
    public Uni<ProcedureResponse> resume(@PathParam("id") String id, ManagementRequests.NoteRequest body) {
        var admin = caller.require(Role.ADMIN, "resuming a procedure");
        return management.resume(admin, id, body == null ? null : body.note()).map(p -> mapper.procedure(p, false));
    }

    /** Promote, rollback, resume, delete and rerun of its deployments and webhook secret rotations, newest first, paged. */
    @GET
    @Path("/{id}/history")
    public Uni<ManagementRequests.HistoryPage> history(@PathParam("id") String id, @QueryParam("limit") String limit,
            @QueryParam("cursor") String cursor) {
        String orgId = caller.require(Role.VIEWER, "reading a procedure's history").orgId();
        int pageSize = RequestValidation.pageSize(limit, config.api().defaultPageSize(), config.api().maxPageSize());
        Long before = RequestValidation.historyCursor(cursor);
        return management.history(orgId, id, before, pageSize).map(page -> new ManagementRequests.HistoryPage(
                page.stream().map(e -> new ManagementRequests.HistoryEntry("hst_" + e.seq(), e.at(), e.action(),
                        e.procedureId(), e.deploymentId(), e.fromDeploymentId(),
                        new ManagementRequests.ActorView(e.actorKeyId(), e.actorName()), e.note())).toList(),
                page.size() == pageSize ? "hst_" + page.get(page.size() - 1).seq() : null));
    }

    public record ProcedureList(List<ProcedureResponse> data) {
    }
}
