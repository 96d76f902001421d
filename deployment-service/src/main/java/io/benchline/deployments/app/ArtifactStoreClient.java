package io.benchline.deployments.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.benchline.common.api.NotFound;
import io.benchline.common.auth.AuthConfig;
import io.benchline.common.auth.InternalTokenFilter;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * artifact-store's internal artifact API ({@code benchline.services.artifact-url}, internal token). The contents
 * list goes through the reactive REST client; a file is streamed with the JDK HTTP client instead, because the
 * REST client reads a whole body before handing it over and an artifact may be as large as artifact-store allows.
 */
@ApplicationScoped
public class ArtifactStoreClient {
    private final ArtifactApi api;
    private final String baseUrl;
    private final String token;
    private final Duration timeout;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    public ArtifactStoreClient(DeploymentServiceConfig config, AuthConfig auth) {
        String url = config.services().artifactUrl();
        this.baseUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.token = auth.internalToken();
        this.timeout = config.services().artifactTimeout();
        this.api = QuarkusRestClientBuilder.newBuilder().baseUri(URI.create(baseUrl))
                .connectTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .build(ArtifactApi.class);
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** A file of the archive as manifest.json lists it, hashed by artifact-store. */
    public record Entry(String path, long size, String sha256) {
    }

    /** One file's bytes, to be closed by the reader; {@code length} is -1 when artifact-store did not say. */
    public record FileStream(InputStream body, long length) {
    }

    /** The archive's files in archive order. */
    public Uni<List<Entry>> contents(String digest) {
        return api.contents(digest, token)
                .onFailure().transform(f -> f instanceof jakarta.ws.rs.WebApplicationException w
                        ? new Refusal(w.getResponse()) : unavailable("listing the contents of " + digest, f))
                .map(response -> {
                    try (response) {
                        if (response.getStatus() != 200) {
                            throw new Refusal(response);
                        }
                        return response.readEntity(ContentsAnswer.class).entries();
                    }
                })
                .onFailure(Refusal.class).transform(f -> {
                    Refusal r = (Refusal) f;
                    return r.status == 404 ? new NotFound("artifact", digest)
                            : unavailable("artifact-store answered " + r.status + " for the contents of " + digest
                                    + r.detail, null);
                });
    }

    /** What artifact-store knows of an upload: what the CLI announced and the size of what it PUT (null: nothing). */
    public record Upload(String id, String organizationId, long sizeBytes, String sha256, Long storedSizeBytes) {
    }

    /**
     * The organization's upload; {@link NotFound} when it is unknown, expired or another organization's. Emits on
     * the caller's Vert.x context, so Hibernate Reactive can go on from there.
     */
    public Uni<Upload> upload(String orgId, String uploadId) {
        io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
        return api.upload(uploadId, orgId, token)
                .onFailure().transform(f -> f instanceof jakarta.ws.rs.WebApplicationException w
                        ? new Refusal(w.getResponse()) : unavailable("reading upload " + uploadId, f))
                .map(response -> {
                    try (response) {
                        if (response.getStatus() != 200) {
                            throw new Refusal(response);
                        }
                        return response.readEntity(Upload.class);
                    }
                })
                .onFailure(Refusal.class).transform(f -> {
                    Refusal r = (Refusal) f;
                    return r.status == 404 ? new NotFound("upload", uploadId + " (or it expired)")
                            : unavailable("artifact-store answered " + r.status + " for upload " + uploadId + r.detail,
                                    null);
                })
                .emitOn(command -> {
                    if (context == null) {
                        command.run();
                    } else {
                        context.runOnContext(v -> command.run());
                    }
                });
    }

    /**
     * Opens one file of the archive for streaming. Blocks until artifact-store answers with the headers: call it
     * from a worker thread.
     */
    public FileStream openFile(String digest, String path) {
        String encoded = Arrays.stream(path.split("/", -1))
                .map(segment -> URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(Collectors.joining("/"));
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/internal/v1/artifacts/" + digest
                        + "/files/" + encoded))
                .timeout(timeout)
                .header(InternalTokenFilter.HEADER, token)
                .GET().build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw unavailable("reading " + path + " of " + digest, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("reading " + path + " of " + digest, e);
        }
        if (response.statusCode() == 200) {
            long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            return new FileStream(response.body(), length);
        }
        String detail;
        try (InputStream body = response.body()) {
            detail = detailOf(new String(body.readNBytes(16 * 1024), StandardCharsets.UTF_8));
        } catch (IOException e) {
            detail = "";
        }
        if (response.statusCode() == 404) {
            throw new NotFound("file", path);
        }
        throw unavailable("artifact-store answered " + response.statusCode() + " for " + path + " of " + digest
                + detail, null);
    }

    private String detailOf(String problemJson) {
        try {
            JsonNode detail = json.readTree(problemJson).get("detail");
            return detail == null || detail.isNull() ? "" : ": " + detail.asText();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static ArtifactStoreUnavailable unavailable(String what, Throwable cause) {
        return new ArtifactStoreUnavailable(cause == null ? what
                : "artifact-store could not be reached for " + what + ": " + cause, cause);
    }

    /** A non-200 answer, carried to the one place that turns it into a domain error. */
    private final class Refusal extends RuntimeException {
        final int status;
        final String detail;

        Refusal(Response response) {
            super(null, null, false, false);
            this.status = response.getStatus();
            String body;
            try {
                body = response.hasEntity() ? response.readEntity(String.class) : "";
            } catch (RuntimeException e) {
                body = "";
            }
            this.detail = detailOf(body);
        }
    }

    public record ContentsAnswer(List<Entry> entries) {
    }

    @Path("/internal/v1")
    public interface ArtifactApi {
        @GET
        @Path("/artifacts/{digest}/contents")
        Uni<Response> contents(@PathParam("digest") String digest,
                @HeaderParam(InternalTokenFilter.HEADER) String internalToken);

        @GET
        @Path("/uploads/{id}")
        Uni<Response> upload(@PathParam("id") String id, @jakarta.ws.rs.QueryParam("organization_id") String orgId,
                @HeaderParam(InternalTokenFilter.HEADER) String internalToken);
    }
}
