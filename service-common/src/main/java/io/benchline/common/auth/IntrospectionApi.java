package io.benchline.common.auth;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/** deployment-service's key introspection endpoint, as other services call it. */
@Path("/internal/v1/auth/introspect")
public interface IntrospectionApi {
    /** 200 with {@link Caller} JSON for a valid key, 401 otherwise. */
    @POST
    Uni<Response> introspect(@HeaderParam(InternalTokenFilter.HEADER) String internalToken, IntrospectRequest request);

    record IntrospectRequest(String apiKey) {
    }
}
