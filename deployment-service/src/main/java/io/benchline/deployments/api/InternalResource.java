package io.benchline.deployments.api;

import io.benchline.common.api.ProblemException;
import io.benchline.common.auth.IntrospectionApi;
import io.benchline.deployments.app.ApiKeys;
import io.benchline.deployments.app.ProcedureService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * Service-to-service endpoints (guarded by InternalTokenFilter): key introspection, webhook secrets and repository
 * credentials for build-worker.
 */
@Path("/internal/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class InternalResource {
    private final ApiKeys apiKeys;
    private final ProcedureService procedures;

    public InternalResource(ApiKeys apiKeys, ProcedureService procedures) {
        this.apiKeys = apiKeys;
        this.procedures = procedures;
    }

    /** 200 {org_id, key_id, key_name, role} for a valid key, else 401 (also for a revoked key). */
    @POST
    @Path("/auth/introspect")
    public Uni<IntrospectionApi.IntrospectResponse> introspect(InternalMessages.IntrospectRequest body) {
        return apiKeys.verify(body == null ? null : body.apiKey()).map(caller -> caller
                .map(IntrospectionApi.IntrospectResponse::of)
                .orElseThrow(() -> ProblemException.unauthorized("the API key is not valid")));
    }

    @GET
    @Path("/hooks/{hook_id}")
    public Uni<InternalMessages.HookResponse> hook(@PathParam("hook_id") String hookId) {
        return procedures.byHookId(hookId).map(p -> new InternalMessages.HookResponse(p.hookId, p.orgId, p.hookSecret));
    }

    /**
     * 200 with the clear credentials for the build of {@code deployment_id} (a pending or building deployment of this
     * procedure, else 409 {@code not-building}); 404 when the procedure has none. build-worker asks right before it
     * clones; the secret is never on Kafka.
     */
    @GET
    @Path("/procedures/{id}/credentials")
    public Uni<InternalMessages.CredentialsResponse> credentials(@PathParam("id") String procedureId,
            @QueryParam("deployment_id") String deploymentId) {
        if (deploymentId == null || !deploymentId.matches("dep_[0-9a-z]{26}")) {
            throw ProblemException.invalid("deployment_id", "is required: the deployment whose build clones");
        }
        return procedures.credentialsForBuild(procedureId, deploymentId).map(c -> {
            if (c == null) {
                throw new ProblemException(404, "no-credentials", "Not found",
                        "procedure " + procedureId + " has no repository credentials");
            }
            return new InternalMessages.CredentialsResponse(c.procedureId(), c.type(), c.username(), c.token(),
                    c.privateKey(), c.updatedAt());
        });
    }
}
