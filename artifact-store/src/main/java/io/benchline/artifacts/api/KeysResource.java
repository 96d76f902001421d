package io.benchline.artifacts.api;

import io.benchline.artifacts.app.SigningKeys;
import io.benchline.artifacts.store.SigningKeyStore;
import io.benchline.common.api.ProblemException;
import io.benchline.common.auth.CurrentCaller;
import io.benchline.common.auth.Role;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;

/**
 * The caller's organization's signing keys. Listing needs viewer; rotating needs admin (403 {@code missing-role}
 * otherwise). Another organization's key is 404.
 */
@Path("/v2/keys")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class KeysResource {
    private final SigningKeys keys;
    private final CurrentCaller caller;

    public KeysResource(SigningKeys keys, CurrentCaller caller) {
        this.keys = keys;
        this.caller = caller;
    }

    /** Active and retired keys, newest first; an organization that never uploaded has none yet. */
    @GET
    public ArtifactApi.Keys list() {
        String org = caller.require(Role.VIEWER, "list signing keys").orgId();
        return KeyViews.keys(org, keys.list(org));
    }

    @GET
    @Path("/{id}")
    public ArtifactApi.Key get(@PathParam("id") String id) {
        String org = caller.require(Role.VIEWER, "read a signing key").orgId();
        return keys.list(org).stream().filter(k -> k.id().equals(id)).findFirst().map(KeyViews::key)
                .orElseThrow(() -> ProblemException.notFound("signing key", id));
    }

    /**
     * A new key becomes the organization's active signing key; the one before is retired (still listed, so what it
     * signed keeps verifying). 201 with the new key.
     */
    @POST
    @Path("/rotate")
    public Response rotate() {
        String org = caller.require(Role.ADMIN, "rotate the signing key").orgId();
        SigningKeyStore.Rotation rotation = keys.rotate(org);
        return Response.created(UriBuilder.fromPath("/v2/keys/{id}").build(rotation.activated().id()))
                .entity(KeyViews.key(rotation.activated())).build();
    }
}
