package io.benchline.builds.storage;

import static io.benchline.builds.source.TracePropagation.withTraceContext;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.builds.app.BuildConfig;
import io.benchline.builds.app.BuildFailure;
import io.benchline.builds.app.BuildLog;
import io.benchline.builds.app.Deadline;
import io.benchline.builds.archive.PackedArchive;
import io.benchline.events.ArtifactRef;
import io.benchline.events.EventCodec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Uploads an archive to artifact-store ({@code POST /internal/v1/artifacts}) with the JDK HTTP client; blocking, so
 * it runs on the build's worker thread. Connection errors, 429 and 5xx are retried with backoff.
 */
@ApplicationScoped
public class ArtifactStoreClient {
    public static final String TOKEN_HEADER = "X-Benchline-Internal-Token";
    static final String PATH = "/internal/v1/artifacts";

    private final URI endpoint;
    private final String token;
    private final Duration timeout;
    private final int attempts;
    private final HttpClient http;

    @Inject
    public ArtifactStoreClient(ServicesConfig services, InternalAuthConfig auth, BuildConfig build) {
        this(services.artifactUrl(), auth.internalToken(), build.uploadTimeout(), build.uploadAttempts());
    }

    public ArtifactStoreClient(String baseUrl, String token, Duration timeout, int attempts) {
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.endpoint = URI.create(base + PATH);
        this.token = token;
        this.timeout = timeout;
        this.attempts = Math.max(1, attempts);
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /**
     * Stores the archive for the organization and procedure it was built for (artifact-store signs digest,
     * organization and procedure together); the answer must name the same digest and size the worker computed.
     */
    public ArtifactRef upload(PackedArchive archive, String organizationId, String procedureId, Deadline deadline,
            BuildLog log) {
        if (organizationId == null || procedureId == null) {
            throw new BuildFailure("the build request names no organization or procedure to sign the artifact for");
        }
        URI target = URI.create(endpoint + "?organization_id=" + URLEncoder.encode(organizationId, StandardCharsets.UTF_8)
                + "&procedure_id=" + URLEncoder.encode(procedureId, StandardCharsets.UTF_8));
        String lastProblem = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            deadline.check();
            Duration wait = timeout.compareTo(deadline.remaining()) < 0 ? timeout : deadline.remaining();
            if (wait.isZero()) {
                throw deadline.timedOut();
            }
            try {
                HttpRequest request = withTraceContext(HttpRequest.newBuilder(target))
                        .timeout(wait)
                        .header("Content-Type", "application/zip")
                        .header("Accept", "application/json")
                        .header(TOKEN_HEADER, token)
                        .POST(HttpRequest.BodyPublishers.ofFile(archive.path()))
                        .build();
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status == 201 || status == 200) {
                    return check(archive, response.body());
                }
                lastProblem = "artifact-store answered " + status + describe(response.body());
                if (status != 429 && status < 500) {
                    throw new BuildFailure("upload refused: " + lastProblem);
                }
            } catch (IOException e) {
                lastProblem = "cannot reach artifact-store at " + endpoint + ": " + e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BuildFailure("upload interrupted", e);
            }
            if (attempt < attempts) {
                // Capped at 2 s: once artifact-store is back, waiting builds upload within 2 s.
                long backoffMillis = Math.min(2000, 500L << Math.min(attempt - 1, 3));
                log.warn("upload attempt " + attempt + " of " + attempts + " failed (" + lastProblem + "), retrying in "
                        + backoffMillis + " ms");
                sleep(Math.min(backoffMillis, deadline.remaining().toMillis()));
            }
        }
        throw new BuildFailure("upload failed after " + attempts + " attempts: " + lastProblem);
    }

    private static ArtifactRef check(PackedArchive archive, String body) {
        ArtifactRef ref;
        try {
            ref = EventCodec.mapper().readValue(body, ArtifactRef.class);
        } catch (IOException e) {
            throw new BuildFailure("artifact-store answered with an unreadable body: " + e.getMessage());
        }
        if (ref.digest() == null || ref.signature() == null || ref.keyId() == null) {
            throw new BuildFailure("artifact-store's answer lacks digest, signature or key_id");
        }
        if (!ref.digest().equals(archive.digest())) {
            throw new BuildFailure("artifact-store stored " + ref.digest() + " but the archive is " + archive.digest());
        }
        if (ref.sizeBytes() != archive.sizeBytes()) {
            throw new BuildFailure("artifact-store stored " + ref.sizeBytes() + " bytes but the archive has "
                    + archive.sizeBytes());
        }
        return ref;
    }

    /** A problem body's title/detail, or the start of any other body (also for the upload source's answers). */
    public static String describe(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode node = EventCodec.mapper().readTree(body);
            String detail = node.path("detail").asText(node.path("title").asText(""));
            if (!detail.isBlank()) {
                return ": " + detail;
            }
        } catch (IOException | RuntimeException ignored) {
            // not JSON: show its beginning
        }
        String text = body.strip();
        return ": " + (text.length() > 200 ? text.substring(0, 200) + "…" : text);
    }

    private static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildFailure("upload interrupted", e);
        }
    }
}
