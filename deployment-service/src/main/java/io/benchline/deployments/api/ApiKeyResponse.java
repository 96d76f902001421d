package io.benchline.deployments.api;

import java.time.Instant;
import java.util.List;

/** An API key as GET /v2/api-keys lists it; never its secret. */
public record ApiKeyResponse(String id, String name, String role, Instant createdAt, CreatedBy createdBy,
        Instant revokedAt) {

    /** The key that created this one; null for a bootstrap key. */
    public record CreatedBy(String keyId, String name) {
    }

    /** The answer to POST /v2/api-keys: the only time the secret is shown. */
    public record Created(String id, String name, String role, Instant createdAt, CreatedBy createdBy,
            String secret) {
    }

    public record Page(List<ApiKeyResponse> data) {
    }
}
