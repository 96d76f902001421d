package io.benchline.dashboard.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.benchline.dashboard.DashboardConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;

/**
 * The public REST API ({@code /v2/...}) at {@code benchline.dashboard.api-url}, called with the signed-in user's API
 * key as Bearer token. Every call has the configured connect and answer timeouts; a non-2xx answer becomes an
 * {@link ApiProblem}.
 */
@ApplicationScoped
public class BenchlineApi {
    private final HttpClient client;
    private final String base;
    private final DashboardConfig config;
    private final ObjectMapper mapper;

    public BenchlineApi(DashboardConfig config, ObjectMapper mapper) {
        this.config = config;
        this.mapper = mapper;
        this.base = config.apiUrl().toString().replaceAll("/+$", "");
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.connectTimeout()).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** One path segment, percent-encoded (an id from a form or URL never changes the path it goes into). */
    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A query parameter {@code &name=value}, or nothing for a blank value. */
    public static String param(String name, String value) {
        return value == null || value.isBlank() ? "" : "&" + name + "=" + segment(value.strip());
    }

    public JsonNode get(String key, String path) {
        return await(getAsync(key, path));
    }

    /** The GET without waiting, so that a page can ask for its parts at once. */
    public CompletableFuture<JsonNode> getAsync(String key, String path) {
        return sendJson(request(key, path).GET().build());
    }

    public JsonNode post(String key, String path, Object body) {
        return await(sendJson(request(key, path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json(body))).build()));
    }

    /** A partial change: absent fields stay as they are. */
    public JsonNode patch(String key, String path, Object body) {
        return await(sendJson(request(key, path).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(json(body))).build()));
    }

    public JsonNode put(String key, String path, Object body) {
        return await(sendJson(request(key, path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(json(body))).build()));
    }

    public JsonNode delete(String key, String path) {
        return await(sendJson(request(key, path).DELETE().build()));
    }

    /** The status of a request, for the sign-in's role checks: no exception for a 4xx. */
    public int status(String key, String method, String path, Object body) {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(json(body));
        HttpRequest request = request(key, path).header("Content-Type", "application/json")
                .method(method, publisher).build();
        return await(client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .exceptionally(failure -> {
                    throw ApiProblem.unreachable(describe(failure));
                })).statusCode();
    }

    /**
     * A file of an artifact, at most {@code max-viewed-file-bytes} of it: its content type, size and bytes
     * ({@code truncated} when the file is larger).
     */
    public File file(String key, String path) {
        HttpResponse<InputStream> response = await(client.sendAsync(request(key, path).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream()).exceptionally(failure -> {
                    throw ApiProblem.unreachable(describe(failure));
                }));
        try (InputStream body = response.body()) {
            if (response.statusCode() / 100 != 2) {
                throw ApiProblem.of(response.statusCode(), parse(body.readAllBytes()));
            }
            int max = config.maxViewedFileBytes();
            byte[] bytes = body.readNBytes(max + 1);
            String type = response.headers().firstValue("Content-Type").orElse("application/octet-stream");
            long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            boolean truncated = bytes.length > max;
            return new File(type, length, truncated ? java.util.Arrays.copyOf(bytes, max) : bytes, truncated);
        } catch (IOException e) {
            throw ApiProblem.unreachable(describe(e));
        }
    }

    /**
     * Opens a server-sent event stream ({@code Accept: text/event-stream}); the answer completes with the headers,
     * the body arrives as the API writes it. {@code lastEventId} resumes a stream (null for none).
     */
    public CompletableFuture<HttpResponse<Flow.Publisher<List<ByteBuffer>>>> stream(String key, String path,
            String lastEventId) {
        HttpRequest.Builder request = request(key, path).setHeader("Accept", "text/event-stream").GET();
        if (lastEventId != null && !lastEventId.isBlank()) {
            request.header("Last-Event-ID", lastEventId);
        }
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofPublisher());
    }

    /** The problem a stream's refusal stands for (its body read whole: a problem body is small). */
    public ApiProblem problemOf(int status, byte[] body) {
        return ApiProblem.of(status, parse(body));
    }

    /** Why a call failed, in a few words. */
    public static String describe(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof java.net.http.HttpTimeoutException) {
            return "no answer in time";
        }
        if (cause instanceof java.net.ConnectException) {
            return "connection refused";
        }
        return cause.getClass().getSimpleName();
    }

    private HttpRequest.Builder request(String key, String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(config.requestTimeout())
                .header("Authorization", "Bearer " + key).header("Accept", "application/json");
    }

    private CompletableFuture<JsonNode> sendJson(HttpRequest request) {
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, failure) -> {
                    if (failure != null) {
                        throw ApiProblem.unreachable(describe(failure));
                    }
                    JsonNode body = parse(response.body());
                    if (response.statusCode() / 100 != 2) {
                        throw ApiProblem.of(response.statusCode(), body);
                    }
                    return body;
                });
    }

    private JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            return MissingNode.getInstance();
        }
        try {
            return mapper.readTree(body);
        } catch (IOException e) {
            return MissingNode.getInstance(); // not JSON (an HTML error page of a proxy): the status speaks
        }
    }

    private byte[] json(Object body) {
        try {
            return mapper.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Waits for a call started with {@link #getAsync}; its failure is the call's {@link ApiProblem}. */
    public static <T> T await(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof ApiProblem problem) {
                throw problem;
            }
            throw ApiProblem.unreachable(describe(e));
        }
    }

    /** Part of an artifact's file: content type, full length (-1 unknown), the bytes read, whether it was cut. */
    public record File(String contentType, long length, byte[] bytes, boolean truncated) {
    }
}
