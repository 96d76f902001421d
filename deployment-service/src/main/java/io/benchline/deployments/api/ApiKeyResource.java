package io.benchline.deployments.api;

import io.benchline.common.auth.CurrentCaller;
import io.benchline.common.auth.Role;
import io.benchline.deployments.app.ApiKeys;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;

/** /v2/api-keys: the organization's keys, admin only; {@code /v2/api-keys/current}: the caller's own key. */
@Path("/v2/api-keys")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ApiKeyResource {
    private final ApiKeys keys;
    private final CurrentCaller caller;
    private final ApiMapper mapper;

    public ApiKeyResource(ApiKeys keys, CurrentCaller caller, ApiMapper mapper) {
        this.keys = keys;
        this.caller = caller;
        this.mapper = mapper;
    }

    /** 201 with the secret: the only time it is shown. */
    @POST
    public Uni<Response> create(ApiKeyRequest body) {
        var admin = caller.require(Role.ADMIN, "creating an API key");
        var checked = RequestValidation.newApiKey(body);
        return keys.create(admin, checked.name(), checked.role()).map(created -> Response
                .created(URI.create("/v2/api-keys/" + created.view().key().id))
                .entity(mapper.newApiKey(created)).build());
    }

    @GET
    public Uni<ApiKeyResponse.Page> list() {
        var admin = caller.require(Role.ADMIN, "listing API keys");
        return keys.list(admin.orgId())
                .map(all -> new ApiKeyResponse.Page(all.stream().map(mapper::apiKey).toList()));
    }

    /** The key of this request as the service knows it: any role may ask (the dashboard shows actions by it). */
    public record Current(String id, String name, String role, String organizationId) {
    }

    @GET
    @Path("/current")
    public Current current() {
        var c = caller.require(Role.VIEWER, "reading the current API key");
        return new Current(c.keyId(), c.keyName(), c.role().name().toLowerCase(java.util.Locale.ROOT), c.orgId());
    }

    /** 204; the key is refused from now on. Revoking the key of this very request is allowed. */
    @DELETE
    @Path("/{id}")
    public Uni<Response> revoke(@PathParam("id") String id) {
        var admin = caller.require(Role.ADMIN, "revoking an API key");
        return keys.revoke(admin.orgId(), id).map(ignored -> Response.noContent().build());
    }
}
