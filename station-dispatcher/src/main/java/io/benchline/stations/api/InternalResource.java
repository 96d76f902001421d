package io.benchline.stations.api;

import io.benchline.common.api.ProblemException;
import io.benchline.stations.api.ApiTypes.TombstoneRequest;
import io.benchline.stations.app.DeletionGuard;
import io.benchline.stations.app.ExplicitMoves;
import io.benchline.stations.app.Ids;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Service-to-service endpoints (internal token; never routed by the gateway). */
@Path("/internal/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class InternalResource {
    private final DeletionGuard guard;
    private final ExplicitMoves moves;

    public InternalResource(DeletionGuard guard, ExplicitMoves moves) {
        this.guard = guard;
        this.moves = moves;
    }

    public record ReleaseRequest(String note) {
    }

    public record Released(int moved) {
    }

    /**
     * deployment-service asks here before it removes a development deployment whose session ended: every pointer
     * that names it moves off (unpinned, following its link, or cleared). 200 with how many moved.
     */
    @POST
    @Path("/deployments/{id}/release")
    public Uni<Released> release(@PathParam("id") String id, ReleaseRequest body) {
        return moves.release(id, body == null ? null : body.note()).map(Released::new);
    }

    /**
     * deployment-service's delete asks here first: 204 once the deployment is tombstoned (no pointer names it, and
     * none can from now on), 409 problem JSON with {@code stations} and {@code station_count} otherwise.
     */
    @POST
    @Path("/deployments/{id}/tombstone")
    public Uni<Response> tombstone(@PathParam("id") String id, TombstoneRequest body) {
        Ids.deployment("id", id);
        if (body == null || body.orgId() == null || body.procedureId() == null || body.sequence() == null
                || body.environment() == null || body.status() == null) {
            throw ProblemException.invalid("org_id, procedure_id, sequence, environment and status are required",
                    (java.util.List<io.benchline.common.api.Problem.FieldError>) null);
        }
        return guard.tombstone(new DeletionGuard.Deleting(id, body.orgId(), body.procedureId(), body.sequence(),
                body.environment(), body.branch(), body.status())).map(v -> Response.noContent().build());
    }
}
