package io.benchline.artifacts.app;

import io.benchline.artifacts.model.Digest;
import io.benchline.common.api.DomainError;

import java.time.Instant;
import java.util.Map;

/**
 * A delete was asked "unless uploaded after T", and bytes of the digest were uploaded after T: a rebuild of the same
 * commit (same bytes, same digest) needs them, so they stay.
 */
public class UploadedAgain extends DomainError {
    private final Instant lastUploadedAt;

    public UploadedAgain(Digest digest, Instant lastUploadedAt, Instant after) {
        super("artifact " + digest + " was uploaded again at " + lastUploadedAt + ", after " + after
                + "; it is kept");
        this.lastUploadedAt = lastUploadedAt;
    }

    @Override
    public Category category() {
        return Category.CONFLICT;
    }

    @Override
    public String kind() {
        return "uploaded-again";
    }

    @Override
    public Map<String, Object> extensions() {
        return Map.of("last_uploaded_at", lastUploadedAt.toString());
    }
}
