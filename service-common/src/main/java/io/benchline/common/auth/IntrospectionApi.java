package io.benchline.common.auth;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/** deployment-service's key introspection endpoint, as other services call it. */
@Path("/internal/v1/auth/introspect")
public interface IntrospectionApi {
    /** 200 with {@link IntrospectResponse} JSON for a valid, not revoked key, 401 otherwise. */
    @POST
    Uni<Response> introspect(@HeaderParam(InternalTokenFilter.HEADER) String internalToken, IntrospectRequest request);

    record IntrospectRequest(String apiKey) {
    }

    /** What a key stands for; {@code role} is viewer, member or admin. */
    record IntrospectResponse(String orgId, String keyId, String keyName, String role) {
        public Caller caller() {
            return new Caller(orgId, keyId, keyName, Role.parse(role).orElse(Role.VIEWER));
        }

        public static IntrospectResponse of(Caller c) {
            return new IntrospectResponse(c.orgId(), c.keyId(), c.keyName(), c.role().wire());
        }
    }
}
