package io.benchline.common.auth;

import io.smallrye.mutiny.Uni;

import java.util.Optional;

/** Resolves an API key to its caller; empty when the key is unknown or revoked. */
public interface ApiKeyVerifier {
    Uni<Optional<Caller>> verify(String apiKey);
}
