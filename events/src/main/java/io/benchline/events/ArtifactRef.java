package io.benchline.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A stored, signed artifact.
 *
 * @param digest    {@code sha256:<64 hex>} of the archive bytes; also its address in the bucket
 * @param sizeBytes archive size
 * @param signature base64 Ed25519 signature over the UTF-8 bytes of {@code digest}
 * @param keyId     the signing key, as listed by {@code GET /v2/keys}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ArtifactRef(String digest, long sizeBytes, String signature, String keyId) {
}
