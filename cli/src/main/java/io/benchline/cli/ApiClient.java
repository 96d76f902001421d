package io.benchline.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Flow;
import java.util.function.LongConsumer;

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

    /** The base URL, without a trailing slash. */
    public String baseUrl() {
        return baseUrl;
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

    /**
     * PUTs a file to a presigned object-store URL as {@code application/zip}: no Authorization header (the URL is the
     * credential, and the API key must never reach the object store). {@code sent} hears the bytes handed to the
     * connection so far. Any answer but 200 fails, with the status and the store's error code and message.
     */
    public void putPresigned(String url, Path file, LongConsumer sent) throws IOException {
        URI target = URI.create(url);
        String where = target.getScheme() + "://" + target.getAuthority() + target.getRawPath();
        HttpRequest request = HttpRequest.newBuilder(target)
                .timeout(Duration.ofMinutes(30))
                .header("Content-Type", "application/zip")
                .PUT(new CountingPublisher(HttpRequest.BodyPublishers.ofFile(file), sent))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("PUT " + where + " interrupted", e);
        } catch (IOException e) {
            throw new IOException("upload to " + where + " failed: " + Log.describe(e), e);
        }
        if (response.statusCode() != 200) {
            throw new IOException("upload to " + where + " answered HTTP " + response.statusCode()
                    + storeError(response.body()));
        }
    }

    /** {@code ": Code: Message"} of an S3 XML error, else the body abbreviated; nothing for an empty body. */
    static String storeError(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        java.util.regex.Matcher code = java.util.regex.Pattern.compile("<Code>([^<]*)</Code>").matcher(body);
        java.util.regex.Matcher message = java.util.regex.Pattern.compile("<Message>([^<]*)</Message>").matcher(body);
        if (code.find()) {
            return ": " + code.group(1) + (message.find() ? ": " + message.group(1) : "");
        }
        String flat = body.strip().replaceAll("\\s+", " ");
        return ": " + (flat.length() > 200 ? flat.substring(0, 200) + "…" : flat);
    }

    /** A body publisher that tells how many bytes it handed on; starts again at 0 when the request is re-sent. */
    private static final class CountingPublisher implements HttpRequest.BodyPublisher {
        private final HttpRequest.BodyPublisher delegate;
        private final LongConsumer sent;

        CountingPublisher(HttpRequest.BodyPublisher delegate, LongConsumer sent) {
            this.delegate = delegate;
            this.sent = sent;
        }

        @Override
        public long contentLength() {
            return delegate.contentLength();
        }

        @Override
        public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
            delegate.subscribe(new Flow.Subscriber<>() {
                private long total;

                @Override
                public void onSubscribe(Flow.Subscription subscription) {
                    subscriber.onSubscribe(subscription);
                }

                @Override
                public void onNext(ByteBuffer item) {
                    total += item.remaining();
                    subscriber.onNext(item);
                    sent.accept(total);
                }

                @Override
                public void onError(Throwable throwable) {
                    subscriber.onError(throwable);
                }

                @Override
                public void onComplete() {
                    subscriber.onComplete();
                }
            });
        }
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
