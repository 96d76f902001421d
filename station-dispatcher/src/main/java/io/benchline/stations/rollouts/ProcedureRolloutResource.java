package io.benchline.stations.rollouts;

import io.benchline.common.auth.CurrentCaller;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /v2/procedures/{procedure_id}/rollouts} (viewer): the procedure's rollouts, newest first, as
 * {@code GET /v2/rollouts?procedure_id=} lists them. The gateway sends this path here, the rest of
 * {@code /v2/procedures} to deployment-service. Procedures are deployment-service's: one this service has no rollout
 * of, known or not, is an empty list.
 */
@Path("/v2/procedures/{procedure_id}/rollouts")
@Produces(MediaType.APPLICATION_JSON)
public class ProcedureRolloutResource {
    private final Rollouts rollouts;
    private final CurrentCaller caller;

    public ProcedureRolloutResource(Rollouts rollouts, CurrentCaller caller) {
        this.rollouts = rollouts;
        this.caller = caller;
    }

    @GET
    public Uni<RolloutResource.ListView> list(@PathParam("procedure_id") String procedureId,
            @QueryParam("limit") String limit) {
        return RolloutResource.list(rollouts, caller, procedureId, limit);
    }
}
