package io.benchline.builds.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.builds.app.BuildFailure;
import io.benchline.builds.app.BuildLog;
import io.benchline.builds.app.Deadline;
import io.benchline.builds.storage.InternalAuthConfig;
import io.benchline.builds.storage.ServicesConfig;
import io.benchline.events.EventCodec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Fetches a procedure's repository credentials from deployment-service
 * ({@code GET /internal/v1/procedures/{id}/credentials?deployment_id=}) right before a clone: build.requested carries
 * only the reference. Connection errors, 429 and 5xx are retried; the answer's body is never logged or put in a
 * failure reason.
 */
@ApplicationScoped
public class RepositoryCredentialsClient {
    static final String TOKEN_HEADER = "X-Benchline-Internal-Token";
    private static final int ATTEMPTS = 3;

    private final String base;
    private final String token;
    private final HttpClient http;

    @Inject
    public RepositoryCredentialsClient(ServicesConfig services, InternalAuthConfig auth) {
        this(services.deploymentUrl(), auth.internalToken());
    }

    public RepositoryCredentialsClient(String baseUrl, String token) {
        this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    /**
     * The credentials of {@code procedureId} for the build of {@code deploymentId}; empty when the procedure has none
     * any more (they were removed after the build was requested).
     */
    public Optional<RepositoryCredentials> fetch(String procedureId, String deploymentId, Deadline deadline,
            BuildLog log) {
        URI uri = URI.create(base + "/internal/v1/procedures/" + URLEncoder.encode(procedureId, StandardCharsets.UTF_8)
                + "/credentials?deployment_id=" + URLEncoder.encode(deploymentId, StandardCharsets.UTF_8));
        String lastProblem = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            deadline.check();
            try {
                HttpResponse<String> response = http.send(TracePropagation.withTraceContext(
                                HttpRequest.newBuilder(uri))
                        .timeout(Duration.ofSeconds(10))
                        .header("Accept", "application/json")
                        .header(TOKEN_HEADER, token)
                        .GET().build(), HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status == 200) {
                    return Optional.of(parse(response.body()));
                }
                if (status == 404) {
                    return Optional.empty();
                }
                lastProblem = "deployment-service answered " + status + problemTitle(response.body());
                if (status != 429 && status < 500) {
                    throw new BuildFailure("cannot fetch the repository credentials: " + lastProblem);
                }
            } catch (IOException e) {
                lastProblem = "cannot reach deployment-service at " + base + ": " + e.getClass().getSimpleName();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BuildFailure("interrupted while fetching the repository credentials", e);
            }
            if (attempt < ATTEMPTS) {
                log.warn("fetching the repository credentials failed (" + lastProblem + "), retrying");
                sleep(Math.min(500L << (attempt - 1), Math.max(0, deadline.remaining().toMillis())));
            }
        }
        throw new BuildFailure("cannot fetch the repository credentials after " + ATTEMPTS + " attempts: "
                + lastProblem);
    }

    private static RepositoryCredentials parse(String body) {
        try {
            JsonNode node = EventCodec.mapper().readTree(body);
            String type = node.path("type").asText("");
            RepositoryCredentials c = new RepositoryCredentials(type, text(node, "username"), text(node, "token"),
                    text(node, "private_key"));
            boolean complete = type.equals(RepositoryCredentials.TOKEN) ? c.token() != null
                    : type.equals(RepositoryCredentials.SSH_KEY) && c.privateKey() != null;
            if (!complete) {
                throw new BuildFailure("deployment-service answered with credentials of unknown form (type '" + type
                        + "')");
            }
            return c;
        } catch (IOException e) {
            // The body is a secret: its parse error is not shown.
            throw new BuildFailure("deployment-service answered with unreadable credentials");
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    /** A problem body's title and detail (problems carry no secrets). */
    private static String problemTitle(String body) {
        try {
            JsonNode node = EventCodec.mapper().readTree(body);
            String detail = node.path("detail").asText(node.path("title").asText(""));
            return detail.isBlank() ? "" : ": " + detail;
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildFailure("interrupted while fetching the repository credentials", e);
        }
    }
}
