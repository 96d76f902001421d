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

    public record Keys(List<Key> keys) {
    }

    public record Key(String keyId, String algorithm, String publicKey, Instant createdAt) {
    }
}
