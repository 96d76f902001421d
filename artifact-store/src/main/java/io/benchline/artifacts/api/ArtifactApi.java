package io.benchline.artifacts.api;

import java.time.Instant;
import java.util.List;

/** Wire types of the artifact API (snake_case through the global Jackson naming strategy). */
public final class ArtifactApi {
    private ArtifactApi() {
    }

    public record StoredArtifact(String digest, long sizeBytes, String signature, String keyId) {
    }

    public record DownloadUrl(String url, Instant expiresAt) {
    }

    public record Contents(List<Entry> entries) {
    }

    public record Entry(String path, long size, String sha256) {
    }

    /** An organization's signing keys, newest first: the active one and every retired one. */
    public record Keys(String organizationId, List<Key> keys) {
    }

    /**
     * One signing key. {@code key_id} repeats {@code id} (the name artifacts carry, and what agents' trusted-keys
     * files have always used); {@code status} is {@code active} or {@code retired}.
     */
    public record Key(String id, String keyId, String organizationId, String algorithm, String publicKey,
            Instant createdAt, Instant activatedAt, Instant retiredAt, String status) {
    }
}
