package io.benchline.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A stored, signed artifact.
 *
 * @param digest    {@code sha256:<64 hex>} of the archive bytes; also its address in the bucket
 * @param sizeBytes archive size
 * @param signature base64 Ed25519 signature over the UTF-8 bytes of the version 1 message, which covers the digest,
 *                  the organization and the procedure: {@code benchline-artifact-signature-v1\norganization:<org>\n
 *                  procedure:<procedure>\ndigest:<digest>\n}
 * @param keyId     the organization's signing key that made it, as listed by {@code GET /v2/keys} (active or retired)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ArtifactRef(String digest, long sizeBytes, String signature, String keyId) {
}
