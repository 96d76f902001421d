package io.benchline.artifacts.api;

import io.benchline.artifacts.app.Ed25519;
import io.benchline.artifacts.app.SigningKeys;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.Base64;

/** Public keys that verify artifact signatures. Same for every organization; needs an API key like all of /v2. */
@Path("/v2/keys")
@Produces(MediaType.APPLICATION_JSON)
public class KeysResource {
    private final SigningKeys keys;

    public KeysResource(SigningKeys keys) {
        this.keys = keys;
    }

    @GET
    public Uni<ArtifactApi.Keys> list() {
        return keys.all().map(all -> new ArtifactApi.Keys(all.stream()
                .map(k -> new ArtifactApi.Key(k.keyId, Ed25519.ALGORITHM,
                        Base64.getEncoder().encodeToString(k.publicKey), k.createdAt.toInstant()))
                .toList()));
    }
}
