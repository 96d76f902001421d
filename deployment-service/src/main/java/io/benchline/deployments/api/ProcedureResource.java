package io.benchline.deployments.api;

import io.benchline.common.auth.CurrentCaller;
import io.benchline.common.auth.Role;
import io.benchline.deployments.app.ProcedureService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
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

    public ProcedureResource(ProcedureService procedures, CurrentCaller caller, ApiMapper mapper) {
        this.procedures = procedures;
        this.caller = caller;
        this.mapper = mapper;
    }

    /** 201 with the webhook secret: the only time it is shown. */
    @POST
    public Uni<Response> create(ProcedureRequest body) {
        var admin = caller.require(Role.ADMIN, "creating a procedure");
        var spec = RequestValidation.newProcedure(body);
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
        var change = RequestValidation.procedureChange(body);
        return procedures.update(admin.orgId(), id, change).map(p -> mapper.procedure(p, false));
    }

    public record ProcedureList(List<ProcedureResponse> data) {
    }
}
