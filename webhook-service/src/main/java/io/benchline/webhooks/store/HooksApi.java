package io.benchline.webhooks.store;

import io.benchline.common.auth.InternalTokenFilter;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** deployment-service's internal hook lookup, as this service calls it. */
@Path("/internal/v1/hooks")
public interface HooksApi {
    /** 200 {@code {hook_id, org_id, secret}} or 404. */
    @GET
    @Path("/{hook_id}")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> find(@PathParam("hook_id") String hookId,
            @HeaderParam(InternalTokenFilter.HEADER) String internalToken);
}
