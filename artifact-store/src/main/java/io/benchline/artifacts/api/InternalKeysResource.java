package io.benchline.artifacts.api;

import io.benchline.artifacts.app.SignedMessage;
import io.benchline.artifacts.app.SigningKeys;
import io.benchline.artifacts.store.SigningKeyStore.StoredKey;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.List;

/**
 * An organization's public keys for station-dispatcher, which hands them to that organization's agents
 * ({@code GET /agent/v1/keys}). {@code ETag} over the list; {@code If-None-Match} with it answers 304.
 */
@Path("/internal/v1/organizations/{organization_id}/keys")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class InternalKeysResource {
    private final SigningKeys keys;

    public InternalKeysResource(SigningKeys keys) {
        this.keys = keys;
    }

    @GET
    public Response list(@PathParam("organization_id") String organizationId,
            @HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
        SignedMessage.requireId("organization_id", organizationId);
        List<StoredKey> all = keys.list(organizationId);
        String etag = KeyViews.etag(organizationId, all);
        if (ifNoneMatch != null && ifNoneMatch.replace("W/", "").replace("\"", "").strip().equals(etag)) {
            return Response.notModified(new EntityTag(etag)).build();
        }
        return Response.ok(KeyViews.keys(organizationId, all)).tag(new EntityTag(etag)).build();
    }
}
