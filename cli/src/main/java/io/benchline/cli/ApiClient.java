package io.benchline.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The one HTTP client of the commands: the public {@code /v2} API with a Bearer API key, JSON in and out. A 2xx
 * answers its body; any other status throws {@link RequestFailed} (status and problem body); no answer at all
 * (refused, unreachable, timed out) throws a plain {@link IOException}.
 */
public final class ApiClient {
    private final String baseUrl;
    private final String apiKey;
    private final HttpClient http;

    public ApiClient(String baseUrl, String apiKey) {
        this.baseUrl = stripTrailingSlashes(baseUrl);
        this.apiKey = apiKey;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    public String get(String path) throws IOException {
        return send("GET", path, null);
    }

    /** POST with {@code body} as JSON (a record, snake_case names, nulls left out); null sends no body. */
    public String post(String path, Object body) throws IOException {
        return send("POST", path, body);
    }

    public String delete(String path) throws IOException {
        return send("DELETE", path, null);
    }

    /** One request; {@code path} starts with / and has its segments encoded ({@link #segment}). */
    public String send(String method, String path, Object body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + apiKey)
                .header("Accept", "application/json, application/problem+json");
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)));
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(method + " " + path + " interrupted", e);
        } catch (IOException e) {
            throw new IOException(method + " " + baseUrl + path + " failed: " + Log.describe(e), e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new RequestFailed(method, path, response.statusCode(), response.body());
        }
        return response.body();
    }

    /** One server-sent event: its id (null when it had none), name and data. */
    public record Event(String id, String name, String data) {
    }

    /**
     * Reads a {@code text/event-stream} answer until the server ends it, handing each event to {@code events}
     * (comments, such as keep-alives, are skipped); {@code lastEventId} resumes after that event. Failures before
     * the stream starts are {@link RequestFailed} like any other request.
     */
    public void stream(String path, String lastEventId, java.util.function.Consumer<Event> events) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Authorization", "Bearer " + apiKey)
                .header("Accept", "text/event-stream, application/problem+json")
                .GET();
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<java.io.InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("GET " + path + " interrupted", e);
        } catch (IOException e) {
            throw new IOException("GET " + baseUrl + path + " failed: " + Log.describe(e), e);
        }
        try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(response.body(),
                StandardCharsets.UTF_8))) {
            if (response.statusCode() / 100 != 2) {
                throw new RequestFailed("GET", path, response.statusCode(),
                        reader.lines().collect(java.util.stream.Collectors.joining("\n")));
            }
            String id = null;
            String name = "message";
            StringBuilder data = new StringBuilder();
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        events.accept(new Event(id, name, data.toString()));
                    }
                    id = null;
                    name = "message";
                    data.setLength(0);
                } else if (!line.startsWith(":")) {
                    int colon = line.indexOf(':');
                    String field = colon < 0 ? line : line.substring(0, colon);
                    String value = colon < 0 ? "" : line.substring(colon + 1).replaceFirst("^ ", "");
                    switch (field) {
                        case "id" -> id = value;
                        case "event" -> name = value;
                        case "data" -> data.append(data.isEmpty() ? "" : "\n").append(value);
                        default -> {
                        }
                    }
                }
            }
        }
    }

    /** An id as one path segment: percent-encoded, so it cannot leave its place in the path. */
    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A query parameter value. */
    public static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    public static String stripTrailingSlashes(String url) {
        String s = url.trim();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    static String abbreviate(String body) {
        if (body == null) {
            return "";
        }
        return body.length() > 500 ? body.substring(0, 500) + "…" : body;
    }
}
