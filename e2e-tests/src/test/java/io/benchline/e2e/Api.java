package io.benchline.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;

/** A small client for the public REST API, as a user with an API key sees it. */
final class Api {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper JSON_READER = JSON;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final String baseUrl;
    private final String apiKey;
    private final Duration timeout;

    Api(String baseUrl, String apiKey) {
        this(baseUrl, apiKey, Duration.ofSeconds(30));
    }

    /** A client whose requests give up after {@code timeout} (fault trials, where a server may hang or be gone). */
    Api(String baseUrl, String apiKey, Duration timeout) {
        this.baseUrl = baseUrl;
        this.apiKey = apiKey;
        this.timeout = timeout;
    }

    static Api anonymous(String baseUrl) {
        return new Api(baseUrl, null);
    }

    Response get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    Response post(String path, Object body) throws IOException, InterruptedException {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    Response patch(String path, Object body) throws IOException, InterruptedException {
        return send(request(path).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    Response put(String path, Object body) throws IOException, InterruptedException {
        return send(request(path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    Response delete(String path) throws IOException, InterruptedException {
        return send(request(path).DELETE());
    }

    /** A request with extra headers and raw bytes (webhooks). */
    Response postBytes(String path, byte[] body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder builder = request(path).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            builder.headers(headers);
        }
        return send(builder);
    }

    /** A GET with one extra header (internal routes of a service, called directly). */
    Response get(String path, String header, String value) throws IOException, InterruptedException {
        return send(request(path).header(header, value).GET());
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout);
        return apiKey == null ? builder : builder.header("Authorization", "Bearer " + apiKey);
    }

    private static Response send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpRequest built = request.build();
        HttpResponse<String> response = HTTP.send(built, HttpResponse.BodyHandlers.ofString());
        return new Response(built.method() + " " + built.uri(), response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(""),
                response.headers().firstValue("Location").orElse(null), response.body());
    }

    static String field(String json, String pointer) {
        try {
            return JSON.readTree(json).at(pointer).asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Response(String request, int status, String contentType, String location, String body) {
        /** Fails with the request and the whole answer unless the status is one of {@code expected}. */
        Response expect(int... expected) {
            if (Arrays.stream(expected).noneMatch(s -> s == status)) {
                throw new AssertionError(request + " answered " + status + ", expected " + Arrays.toString(expected)
                        + ": " + body);
            }
            return this;
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError(request + " did not answer JSON: " + body, e);
            }
        }
    }
}
