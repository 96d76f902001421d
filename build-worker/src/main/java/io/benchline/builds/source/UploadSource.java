package io.benchline.builds.source;

import static io.benchline.builds.source.TracePropagation.withTraceContext;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.builds.app.BuildConfig;
import io.benchline.builds.app.BuildFailure;
import io.benchline.builds.app.BuildLog;
import io.benchline.builds.app.Deadline;
import io.benchline.builds.storage.ArtifactStoreClient;
import io.benchline.builds.storage.InternalAuthConfig;
import io.benchline.builds.storage.ServicesConfig;
import io.benchline.events.Commit;
import io.benchline.events.EventCodec;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * The source of a build from an upload (the zip of a working tree that {@code benchline deploy} sent): what
 * artifact-store says about it ({@code GET /internal/v1/uploads/{id}}) and its zip ({@code .../content}), streamed
 * into the build's work directory within {@code benchline.build.max-upload-size} while its sha256 is computed, checked
 * against what the CLI announced, then unpacked ({@link UploadUnpacker}). Connection errors, 429 and 5xx are retried
 * as the archive's upload is ({@code upload-attempts}); each attempt is bounded by {@code upload-timeout} and the
 * build's deadline, the zip's body included.
 */
@ApplicationScoped
public class UploadSource {
    static final String TOKEN_HEADER = "X-Benchline-Internal-Token";
    static final String PATH = "/internal/v1/uploads/";
    private static final Pattern UPLOAD_ID = Pattern.compile("upl_[0-9A-Za-z]{26}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** What an upload build runs under. */
    public record Limits(long maxUploadBytes, long maxSourceBytes, int maxFiles, Duration timeout, int attempts) {
    }

    /**
     * artifact-store's record of an upload: the size and sha256 the CLI announced, the bytes it holds
     * ({@code storedSizeBytes}, null while nothing was uploaded), and the commit the CLI found in the working tree.
     */
    public record Upload(String id, String organizationId, long sizeBytes, String sha256, Long storedSizeBytes,
            String commitMessage, String commitAuthor) {
    }

    private final String base;
    private final String token;
    private final Limits limits;
    private final HttpClient http;
    /** Closes a zip's body when its attempt runs out of time: a stalled read returns only then. */
    private final ScheduledExecutorService watchdog;

    @Inject
    public UploadSource(ServicesConfig services, InternalAuthConfig auth, BuildConfig build) {
        this(services.artifactUrl(), auth.internalToken(), new Limits(build.maxUploadSize().asLongValue(),
                build.maxSourceSize().asLongValue(), build.maxFiles(), build.uploadTimeout(), build.uploadAttempts()));
    }

    public UploadSource(String baseUrl, String token, Limits limits) {
        this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token;
        this.limits = limits;
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "upload-read-watchdog");
            t.setDaemon(true);
            return t;
        });
    }

    @PreDestroy
    void stop() {
        watchdog.shutdownNow();
    }

    /** artifact-store's record of the upload; fails when it is unknown, expired or of another organization. */
    public Upload describe(String uploadId, String organizationId, Deadline deadline, BuildLog log) {
        if (uploadId == null || !UPLOAD_ID.matcher(uploadId).matches()) {
            throw new BuildFailure("the build request's upload_key '" + uploadId + "' is not an upload id (upl_…)");
        }
        if (organizationId == null) {
            throw new BuildFailure("the build request names no organization to read upload " + uploadId + " for");
        }
        URI uri = uri(uploadId, "", organizationId);
        String body = withAttempts(uploadId, deadline, log, attempt -> {
            HttpResponse<String> response = http.send(request(uri, attempt, "application/json"),
                    HttpResponse.BodyHandlers.ofString());
            answered(uploadId, response.statusCode(), response.body());
            return response.body();
        });
        Upload upload = parse(uploadId, body);
        if (upload.organizationId() != null && !upload.organizationId().equals(organizationId)) {
            throw gone(uploadId);
        }
        return new Upload(uploadId, organizationId, upload.sizeBytes(), upload.sha256(), upload.storedSizeBytes(),
                upload.commitMessage(), upload.commitAuthor());
    }

    /**
     * Reads the upload's zip into {@code directory}, checks it is the one the CLI announced (size and sha256) and
     * unpacks it into a bare repository there; the tree's commit is {@link #commit(Upload, String)}.
     */
    public SourceTree fetch(Upload upload, String commitSha, Path directory, Deadline deadline, BuildLog log) {
        String id = upload.id();
        if (upload.storedSizeBytes() == null) {
            throw new BuildFailure("upload " + id + " holds no zip yet: the CLI's upload did not finish; deploy again");
        }
        long largest = Math.max(upload.sizeBytes(), upload.storedSizeBytes());
        if (largest > limits.maxUploadBytes()) {
            throw tooLarge(id, largest + " bytes, more than");
        }
        if (upload.storedSizeBytes() != upload.sizeBytes()) {
            throw new BuildFailure("upload " + id + " holds " + upload.storedSizeBytes() + " bytes but the CLI"
                    + " announced " + upload.sizeBytes() + ": the upload was interrupted or replaced; deploy again");
        }
        Path zip = directory.resolve("upload.zip");
        URI uri = uri(id, "/content", upload.organizationId());
        String sha256 = withAttempts(id, deadline, log, attempt -> download(upload, uri, zip, deadline, attempt));
        if (!sha256.equals(upload.sha256())) {
            throw new BuildFailure("the upload's sha256 is " + sha256 + " but the CLI announced " + upload.sha256()
                    + ": the zip was changed or damaged after the CLI hashed it; deploy again");
        }
        try {
            return UploadUnpacker.unpack(zip, directory.resolve("upload.git"), commit(upload, commitSha),
                    limits.maxSourceBytes(), limits.maxFiles(), deadline);
        } finally {
            try {
                Files.deleteIfExists(zip);
            } catch (IOException ignored) {
                // the build's work directory is deleted when the build ends
            }
        }
    }

    /**
     * The commit a build of the upload reports and packs into its manifest: the sha from the build request (null
     * when the working tree was not in git), message and author as the CLI reported them; no branch, no time.
     */
    public static Commit commit(Upload upload, String commitSha) {
        return new Commit(commitSha == null || commitSha.isBlank() ? null : commitSha, upload.commitMessage(),
                upload.commitAuthor(), null, null);
    }

    /** Streams the zip into {@code target} within the size limit; returns its sha256 (hex). */
    private String download(Upload upload, URI uri, Path target, Deadline build, Deadline attempt)
            throws IOException, InterruptedException, Retry {
        HttpResponse<InputStream> response = http.send(request(uri, attempt, "application/zip"),
                HttpResponse.BodyHandlers.ofInputStream());
        AtomicBoolean timedOut = new AtomicBoolean();
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                answered(upload.id(), response.statusCode(), new String(in.readNBytes(4096), StandardCharsets.UTF_8));
            }
            OptionalLong length = response.headers().firstValueAsLong("Content-Length");
            if (length.isPresent() && length.getAsLong() > limits.maxUploadBytes()) {
                throw tooLarge(upload.id(), length.getAsLong() + " bytes, more than");
            }
            ScheduledFuture<?> stall = watchdog.schedule(() -> {
                timedOut.set(true);
                closeQuietly(in);
            }, attempt.remaining().toNanos(), TimeUnit.NANOSECONDS);
            try (OutputStream out = Files.newOutputStream(target)) {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                byte[] buffer = new byte[64 * 1024];
                long total = 0;
                for (int n; (n = in.read(buffer)) != -1; ) {
                    total += n;
                    if (total > limits.maxUploadBytes()) {
                        throw tooLarge(upload.id(), "more than");
                    }
                    sha.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                }
                if (timedOut.get()) {
                    throw new IOException("the body was closed when its time ran out");
                }
                if (total != upload.sizeBytes()) {
                    throw new BuildFailure("upload " + upload.id() + " held " + total + " bytes but the CLI announced "
                            + upload.sizeBytes() + ": the upload was interrupted or replaced; deploy again");
                }
                return HexFormat.of().formatHex(sha.digest());
            } finally {
                stall.cancel(false);
            }
        } catch (IOException e) {
            if (!timedOut.get()) {
                throw e;
            }
            if (build.expired()) {
                throw build.timedOut();
            }
            throw new Retry(attempt.timedOut().getMessage());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Throws for anything but 200: 404 as gone, 429 and 5xx to retry, the rest as a failure. */
    private static void answered(String uploadId, int status, String body) throws Retry {
        if (status == 200) {
            return;
        }
        if (status == 404) {
            throw gone(uploadId);
        }
        String problem = "artifact-store answered " + status + ArtifactStoreClient.describe(body);
        if (status == 429 || status >= 500) {
            throw new Retry(problem);
        }
        throw new BuildFailure("cannot read upload " + uploadId + ": " + problem);
    }

    /** One exchange with artifact-store, within its own deadline (upload-timeout, never past the build's). */
    @FunctionalInterface
    private interface Exchange<T> {
        T run(Deadline attempt) throws IOException, InterruptedException, Retry;
    }

    /** An answer worth another attempt (429, 5xx, a read that stalled). */
    private static final class Retry extends Exception {
        Retry(String problem) {
            super(problem, null, false, false);
        }
    }

    private <T> T withAttempts(String uploadId, Deadline deadline, BuildLog log, Exchange<T> exchange) {
        String lastProblem = null;
        for (int attempt = 1; attempt <= limits.attempts(); attempt++) {
            deadline.check();
            Deadline step = deadline.step("reading upload " + uploadId + " from artifact-store", limits.timeout(),
                    "benchline.build.upload-timeout");
            try {
                return exchange.run(step);
            } catch (Retry e) {
                lastProblem = e.getMessage();
            } catch (IOException e) {
                lastProblem = "cannot reach artifact-store at " + base + ": " + e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BuildFailure("interrupted while reading upload " + uploadId, e);
            }
            if (attempt < limits.attempts()) {
                // As the archive's upload: capped at 2 s, so a build resumes soon after artifact-store is back.
                long backoffMillis = Math.min(2000, 500L << Math.min(attempt - 1, 3));
                log.warn("reading upload " + uploadId + " failed (attempt " + attempt + " of " + limits.attempts()
                        + ": " + lastProblem + "), retrying in " + backoffMillis + " ms");
                sleep(Math.min(backoffMillis, deadline.remaining().toMillis()), uploadId);
            }
        }
        deadline.check();
        throw new BuildFailure("cannot read upload " + uploadId + " after " + limits.attempts() + " attempts: "
                + lastProblem);
    }

    private HttpRequest request(URI uri, Deadline attempt, String accept) {
        Duration wait = attempt.remaining();
        if (wait.isZero()) {
            throw attempt.timedOut();
        }
        return withTraceContext(HttpRequest.newBuilder(uri))
                .timeout(wait)
                .header("Accept", accept)
                .header(TOKEN_HEADER, token)
                .GET()
                .build();
    }

    private URI uri(String uploadId, String suffix, String organizationId) {
        return URI.create(base + PATH + uploadId + suffix + "?organization_id="
                + URLEncoder.encode(organizationId, StandardCharsets.UTF_8));
    }

    private static Upload parse(String uploadId, String body) {
        JsonNode node;
        try {
            node = EventCodec.mapper().readTree(body);
        } catch (IOException e) {
            throw new BuildFailure("artifact-store answered with an unreadable record of upload " + uploadId + ": "
                    + e.getMessage());
        }
        if (node == null || !node.path("size_bytes").isIntegralNumber() || node.path("size_bytes").asLong() < 0) {
            throw new BuildFailure("artifact-store's record of upload " + uploadId + " has no size_bytes");
        }
        String sha256 = text(node, "sha256");
        if (sha256 != null) {
            sha256 = sha256.toLowerCase(Locale.ROOT);
            sha256 = sha256.startsWith("sha256:") ? sha256.substring("sha256:".length()) : sha256;
        }
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new BuildFailure("artifact-store's record of upload " + uploadId + " has no sha256 to check the zip"
                    + " against");
        }
        JsonNode stored = node.get("stored_size_bytes");
        return new Upload(uploadId, text(node, "organization_id"), node.get("size_bytes").asLong(), sha256,
                stored == null || stored.isNull() ? null : stored.asLong(), text(node, "commit_message"),
                text(node, "commit_author"));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static BuildFailure gone(String uploadId) {
        return new BuildFailure("upload " + uploadId + " is unknown to artifact-store, expired or of another"
                + " organization; deploy again");
    }

    /** {@code upload upl_… is <size> the limit of N bytes (benchline.build.max-upload-size)}. */
    private BuildFailure tooLarge(String uploadId, String size) {
        return new BuildFailure("upload " + uploadId + " is " + size + " the limit of " + limits.maxUploadBytes()
                + " bytes (benchline.build.max-upload-size)");
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // the reader sees the stream closed either way
        }
    }

    private static void sleep(long millis, String uploadId) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildFailure("interrupted while reading upload " + uploadId, e);
        }
    }
}
