package io.benchline.artifacts.uploads;

import io.benchline.artifacts.storage.ObjectInfo;
import io.benchline.artifacts.storage.ObjectStorage;
import io.benchline.common.api.NotFound;
import io.benchline.common.api.ProblemException;
import io.benchline.events.EventIds;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Uploads of working trees: the CLI announces size and sha256, gets a presigned PUT to the object store (its API
 * key never goes there), and a deployment then names the upload. Builds read it back through here and check the
 * announced sha256 against the bytes. Calls block on the database and the object store: worker threads only.
 */
@ApplicationScoped
public class Uploads {
    private static final Pattern SHA256 = Pattern.compile("^[0-9a-f]{64}$");
    private static final Pattern ID = Pattern.compile("^upl_[0-9a-z]{26}$");
    private final UploadStore store;
    private final ObjectStorage storage;
    private final UploadsConfig config;

    public Uploads(UploadStore store, ObjectStorage storage, UploadsConfig config) {
        this.store = store;
        this.storage = storage;
        this.config = config;
    }

    /** A new upload and where to PUT its bytes. */
    public record Created(UploadStore.Upload upload, String url, Instant urlExpiresAt, long maxSizeBytes) {
    }

    /** An upload with the size of what is stored for it (empty before the PUT). */
    public record Described(UploadStore.Upload upload, Optional<Long> storedSizeBytes) {
    }

    public record Content(InputStream body, long sizeBytes) {
    }

    public Created create(String organizationId, String keyId, Long sizeBytes, String sha256) {
        long max = config.maxSize().asLongValue();
        if (sizeBytes == null || sizeBytes < 1) {
            throw ProblemException.invalid("size_bytes", "is required: the archive's size in bytes (at least 1)");
        }
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw ProblemException.invalid("sha256", "is required: the archive's SHA-256 as 64 lower-case hex digits");
        }
        if (sizeBytes > max) {
            throw new ProblemException(413, "upload-too-large", "Upload too large", "the archive has " + sizeBytes
                    + " bytes; uploads are limited to " + max + " bytes (benchline.uploads.max-size): add what the"
                    + " station does not need to .gitignore");
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        UploadStore.Upload upload = new UploadStore.Upload(EventIds.withPrefix("upl"), organizationId, sizeBytes,
                sha256, keyId, now, now.plus(config.ttl()));
        store.insert(upload);
        Duration urlTtl = config.urlTtl().compareTo(config.ttl()) < 0 ? config.urlTtl() : config.ttl();
        String url = storage.presignedPut(upload.objectKey(), urlTtl);
        return new Created(upload, url, now.plus(urlTtl), max);
    }

    public Described describe(String organizationId, String id) {
        UploadStore.Upload upload = find(organizationId, id);
        return new Described(upload, storage.stat(upload.objectKey()).map(ObjectInfo::size));
    }

    /** The uploaded bytes; 404 also while nothing was PUT yet. The caller closes the stream. */
    public Content content(String organizationId, String id) {
        UploadStore.Upload upload = find(organizationId, id);
        Optional<ObjectInfo> info = storage.stat(upload.objectKey());
        Optional<InputStream> body = info.isEmpty() ? Optional.empty() : storage.get(upload.objectKey());
        if (body.isEmpty()) {
            throw new NotFound("content of upload", id);
        }
        return new Content(body.get(), info.get().size());
    }

    private UploadStore.Upload find(String organizationId, String id) {
        if (organizationId == null || organizationId.isBlank()) {
            throw ProblemException.invalid("organization_id", "is required");
        }
        if (id == null || !ID.matcher(id).matches()) {
            throw new NotFound("upload", String.valueOf(id));
        }
        return store.find(organizationId, id).orElseThrow(() -> new NotFound("upload", id));
    }
}
