package io.benchline.artifacts.app;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.benchline.artifacts.model.Digest;
import io.benchline.artifacts.storage.ObjectInfo;
import io.benchline.artifacts.storage.ObjectStorage;
import io.benchline.artifacts.store.ArtifactRecords;
import io.benchline.common.api.NotFound;
import io.benchline.common.api.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * The artifact use cases. They block on disk and object-store I/O: call them from worker threads.
 * Artifacts are content-addressed, so a digest names the same bytes forever (invariant 3).
 */
@ApplicationScoped
public class Artifacts {
    private static final Logger LOG = Logger.getLogger(Artifacts.class);
    private static final String ZIP = "application/zip";
    private static final int MAX_PATH = 4096;
    private final ObjectStorage storage;
    private final SigningKeys keys;
    private final ArtifactsConfig config;
    private final ArtifactRecords records;
    /**
     * Digest to its listing. A digest names the same bytes forever, so a listing never goes stale; it is dropped only
     * when the archive is deleted here, or to stay under {@code contents-cache-entries} file entries in all.
     */
    private final AsyncCache<Digest, List<Entry>> listings;

    public Artifacts(ObjectStorage storage, SigningKeys keys, ArtifactsConfig config, ArtifactRecords records) {
        this.storage = storage;
        this.records = records;
        this.keys = keys;
        this.config = config;
        this.listings = Caffeine.newBuilder().maximumWeight(config.contentsCacheEntries())
                .weigher((Digest d, List<Entry> entries) -> Math.max(1, entries.size())).buildAsync();
    }

    /** A stored archive and its signature by the organization's active key. */
    public record SignedArtifact(Digest digest, long sizeBytes, String signature, String keyId, boolean created) {
    }

    public record DownloadUrl(String url, Instant expiresAt) {
    }

    public record Entry(String path, long size, String sha256) {
    }

    /**
     * Spools the body to a temporary file while hashing it, then stores it under its digest unless an object
     * is there already. The hash is computed here, never taken from the caller, so no upload can make a digest
     * name other bytes.
     *
     * The signature covers the digest, the organization and the procedure ({@link SignedMessage}); the same bytes
     * uploaded for another organization or procedure get another signature.
     *
     * @param declaredLength Content-Length, or -1 when the body is chunked
     */
    public SignedArtifact upload(InputStream body, long declaredLength, String organizationId, String procedureId) {
        SignedMessage.requireId("organization_id", organizationId);
        SignedMessage.requireId("procedure_id", procedureId);
        long max = config.maxSize().asLongValue();
        if (declaredLength > max) {
            throw tooLarge(max);
        }
        Path spool = createSpoolFile();
        try {
            MessageDigest sha256 = sha256();
            long size = 0;
            try (OutputStream out = Files.newOutputStream(spool)) {
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = body.read(buffer)) != -1) {
                    size += n;
                    if (size > max) {
                        throw tooLarge(max);
                    }
                    sha256.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                }
            } catch (IOException e) {
                throw ProblemException.invalid("body", "the upload was interrupted: " + e.getMessage());
            }
            if (size == 0) {
                throw ProblemException.invalid("body", "the archive is empty");
            }
            requireZip(spool);
            Digest digest = Digest.ofSha256(sha256.digest());
            long stored = size;
            // Under the digest's lock, so a delete of the same digest cannot fall between "already stored?" and
            // recording this upload: it either ran before (the bytes are put again here) or sees this upload.
            boolean created = records.withLock(digest, locked -> {
                Optional<ObjectInfo> existing = storage.stat(digest.objectKey());
                boolean write = existing.isEmpty() || existing.get().size() != stored;
                if (write) {
                    if (existing.isPresent()) {
                        // Same name, other size: the stored object is damaged; the digest defines what belongs there.
                        LOG.errorf("object %s has %d bytes, its digest says %d; rewriting it", digest.objectKey(),
                                existing.get().size(), stored);
                    }
                    storage.put(digest.objectKey(), spool, ZIP);
                }
                locked.recordUpload(stored);
                return write;
            });
            SigningKeys.Signed signed = keys.sign(digest.toString(), organizationId, procedureId);
            return new SignedArtifact(digest, size, signed.signature(), signed.keyId(), created);
        } finally {
            deleteQuietly(spool);
        }
    }

    /** Size and a fresh signature (by the organization's active key) of a stored artifact; 404 when unknown. */
    public SignedArtifact describe(Digest digest, String organizationId, String procedureId) {
        SignedMessage.requireId("organization_id", organizationId);
        SignedMessage.requireId("procedure_id", procedureId);
        ObjectInfo info = storage.stat(digest.objectKey())
                .orElseThrow(() -> ProblemException.notFound("artifact", digest.toString()));
        SigningKeys.Signed signed = keys.sign(digest.toString(), organizationId, procedureId);
        return new SignedArtifact(digest, info.size(), signed.signature(), signed.keyId(), false);
    }

    /**
     * Removes the stored archive unless bytes of the digest were uploaded after {@code unlessUploadedAfter} (a
     * rebuild of the same commit uploads the same digest and must keep its bytes). Already absent is success.
     * The check and the removal happen under the digest's lock, which uploads take too.
     *
     * @throws UploadedAgain when a later upload is recorded
     */
    public void delete(Digest digest, Instant unlessUploadedAfter) {
        records.withLock(digest, locked -> {
            Optional<Instant> lastUpload = locked.lastUploadedAt();
            if (lastUpload.isPresent() && lastUpload.get().isAfter(unlessUploadedAfter)) {
                throw new UploadedAgain(digest, lastUpload.get(), unlessUploadedAfter);
            }
            storage.delete(digest.objectKey());
            listings.synchronous().invalidate(digest);
            locked.forget();
            return null;
        });
        LOG.infof("deleted artifact %s (no upload after %s)", digest, unlessUploadedAfter);
    }

    /** One file of an archive, positioned at its first byte; {@code size} is -1 when the archive does not say. */
    public record ArchiveFile(InputStream body, long size) {
    }

    /**
     * Opens one file of the stored archive for streaming, read from the object store as it is consumed: the zip is
     * read entry by entry ({@link ZipInputStream}) up to the one named {@code path}, never held whole. The caller
     * closes the stream.
     */
    public ArchiveFile file(Digest digest, String path) {
        requireArchivePath(path);
        InputStream in = storage.get(digest.objectKey())
                .orElseThrow(() -> new NotFound("artifact", digest.toString()));
        ZipInputStream zip = new ZipInputStream(new BufferedInputStream(in, 64 * 1024));
        try {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                if (!entry.isDirectory() && entry.getName().equals(path)) {
                    return new ArchiveFile(zip, entry.getSize());
                }
            }
        } catch (ZipException e) {
            closeQuietly(zip);
            throw new ProblemException(422, "unreadable-archive", "Unreadable archive",
                    "the stored artifact " + digest + " is not a readable zip: " + e.getMessage());
        } catch (IOException e) {
            closeQuietly(zip);
            throw new UncheckedIOException("cannot read artifact " + digest, e);
        }
        closeQuietly(zip);
        throw new NotFound("file", path);
    }

    /** Archive paths are relative, /-separated, without empty, . or .. segments, backslashes or control characters. */
    static void requireArchivePath(String path) {
        boolean bad = path == null || path.isEmpty() || path.length() > MAX_PATH || path.startsWith("/")
                || path.indexOf('\\') >= 0 || path.chars().anyMatch(Character::isISOControl)
                || Arrays.stream(path.split("/", -1)).anyMatch(s -> s.isEmpty() || s.equals(".") || s.equals(".."));
        if (bad) {
            throw ProblemException.invalid("path", "must be a relative path inside the archive: / separators, no"
                    + " empty, . or .. segments, no backslashes or control characters, at most " + MAX_PATH
                    + " characters");
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            LOG.debugf("closing an artifact stream failed: %s", e.getMessage());
        }
    }

    /** A presigned GET against the public endpoint; 404 when unknown. */
    public DownloadUrl downloadUrl(Digest digest, String ttlText) {
        Duration ttl = parseTtl(ttlText);
        storage.stat(digest.objectKey()).orElseThrow(() -> ProblemException.notFound("artifact", digest.toString()));
        Instant expiresAt = Instant.now().plus(ttl).truncatedTo(ChronoUnit.SECONDS);
        return new DownloadUrl(storage.presignedGet(digest.objectKey(), ttl), expiresAt);
    }

    /**
     * The archive's file entries in archive order, each with its size and SHA-256. The first listing of a digest
     * reads the whole archive; later ones come from memory (concurrent first listings of one digest read it once).
     */
    public List<Entry> contents(Digest digest) {
        while (true) {
            // The cache only holds the future; the first caller reads the archive on its own thread, outside the map.
            CompletableFuture<List<Entry>> mine = new CompletableFuture<>();
            CompletableFuture<List<Entry>> listing = listings.get(digest, (d, executor) -> mine);
            if (listing == mine) {
                try {
                    mine.complete(readContents(digest));
                } catch (RuntimeException e) {
                    // Not kept; a caller that waited for it reads the archive itself and meets its own answer.
                    listings.asMap().remove(digest, mine);
                    mine.cancel(false);
                    throw e;
                }
            }
            try {
                return listing.join();
            } catch (CancellationException e) {
                continue;
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
        }
    }

    private List<Entry> readContents(Digest digest) {
        InputStream in = storage.get(digest.objectKey())
                .orElseThrow(() -> ProblemException.notFound("artifact", digest.toString()));
        Path spool = createSpoolFile();
        try {
            try (in) {
                Files.copy(in, spool, StandardCopyOption.REPLACE_EXISTING);
            }
            try (ZipFile zip = new ZipFile(spool.toFile())) {
                if (zip.size() > config.maxContentsEntries()) {
                    throw new ProblemException(422, "archive-too-large", "Archive too large",
                            "the archive has " + zip.size() + " entries; at most " + config.maxContentsEntries()
                                    + " are listed (benchline.artifacts.max-contents-entries)");
                }
                List<Entry> entries = new ArrayList<>();
                Enumeration<? extends ZipEntry> all = zip.entries();
                while (all.hasMoreElements()) {
                    ZipEntry entry = all.nextElement();
                    if (entry.isDirectory()) {
                        continue;
                    }
                    MessageDigest sha256 = sha256();
                    long size = 0;
                    try (InputStream data = zip.getInputStream(entry)) {
                        byte[] buffer = new byte[64 * 1024];
                        int n;
                        while ((n = data.read(buffer)) != -1) {
                            sha256.update(buffer, 0, n);
                            size += n;
                        }
                    }
                    entries.add(new Entry(entry.getName(), size, HexFormat.of().formatHex(sha256.digest())));
                }
                return List.copyOf(entries);
            }
        } catch (ZipException e) {
            throw new ProblemException(422, "unreadable-archive", "Unreadable archive",
                    "the stored artifact " + digest + " is not a readable zip: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read artifact " + digest, e);
        } finally {
            deleteQuietly(spool);
        }
    }

    /** Seconds ({@code 900}) or an ISO-8601 duration ({@code PT15M}); default and maximum from config. */
    Duration parseTtl(String text) {
        if (text == null || text.isBlank()) {
            return config.downloadUrlTtl();
        }
        Duration ttl;
        try {
            ttl = text.chars().allMatch(Character::isDigit) ? Duration.ofSeconds(Long.parseLong(text))
                    : Duration.parse(text);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw ProblemException.invalid("ttl", "must be a number of seconds or an ISO-8601 duration such as PT15M");
        }
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(config.maxDownloadUrlTtl()) > 0) {
            throw ProblemException.invalid("ttl", "must be between 1 second and " + config.maxDownloadUrlTtl().toSeconds()
                    + " seconds");
        }
        return ttl;
    }

    private static void requireZip(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            if (zip.size() == 0) {
                throw ProblemException.invalid("body", "the zip archive has no entries");
            }
        } catch (IOException e) {
            throw ProblemException.invalid("body", "the body is not a zip archive (" + e.getMessage() + ")");
        }
    }

    private static ProblemException tooLarge(long max) {
        return ProblemException.tooLarge("the archive exceeds the limit of " + max
                + " bytes (benchline.artifacts.max-size)");
    }

    private Path createSpoolFile() {
        try {
            Path dir = Path.of(config.tempDir().orElse(System.getProperty("java.io.tmpdir")));
            Files.createDirectories(dir);
            return Files.createTempFile(dir, "artifact-", ".zip");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a spool file", e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warnf("cannot delete spool file %s: %s", file, e.getMessage());
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
