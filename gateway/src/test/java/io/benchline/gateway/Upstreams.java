package io.benchline.gateway;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One small Vert.x server per upstream, on random ports, each naming itself in {@code X-Upstream}. Paths (below any
 * route prefix) that do something:
 * <ul>
 * <li>{@code …/echo}: JSON of method, uri, headers and the body's size and SHA-256 (read as a stream)</li>
 * <li>{@code …/download?bytes=N}: N bytes of a fixed pattern, chunked, written with back-pressure</li>
 * <li>{@code …/wait?ms=N}: answers after N ms (a long poll)</li>
 * <li>{@code …/events} (and {@code …/logs/stream}, the dashboard's log relay): an event stream that sends one event,
 * then the last one when {@link #releaseEvents(String)} is called with its {@code ?hold=} (default {@code events})</li>
 * <li>{@code …/closing?id=X}: the first time request X arrives on a connection that has served a request before, the
 * connection is closed without an answer (a pooled connection the upstream closed after its last answer, as the
 * next request went out on it); {@link #CLOSED_REUSED} counts these. Any later X is answered as {@code …/echo}</li>
 * <li>{@code …/bare?status=N}: status N with a plain-text body and {@code Allow}, as an HTTP layer answers</li>
 * <li>{@code …/empty?status=N}: status N without a body or {@code Content-Type}</li>
 * <li>{@code …/problem?status=N}: status N with a problem body of the upstream's own</li>
 * </ul>
 */
public class Upstreams implements QuarkusTestResourceLifecycleManager {
    static final int PATTERN = 251; // a prime, so the byte at offset i is i % 251 and shifts show

    private static final Map<String, CompletableFuture<Void>> EVENTS_RELEASED =
            new java.util.concurrent.ConcurrentHashMap<>();
    static final AtomicInteger EVENT_STREAMS_OPEN = new AtomicInteger();
    static final AtomicInteger CLOSED_REUSED = new AtomicInteger();
    private final Map<io.vertx.core.http.HttpConnection, Boolean> served = new java.util.concurrent.ConcurrentHashMap<>();
    private final Set<String> dropped = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private Vertx vertx;
    private final List<HttpServer> servers = new java.util.ArrayList<>();

    @Override
    public Map<String, String> start() {
        vertx = Vertx.vertx();
        Map<String, String> config = new LinkedHashMap<>();
        for (Upstream upstream : Upstream.values()) {
            // deployment-service runs as two instances: the gateway takes them in turn.
            int instances = upstream == Upstream.DEPLOYMENT ? 2 : 1;
            List<String> urls = new java.util.ArrayList<>();
            for (int i = 1; i <= instances; i++) {
                String instance = Integer.toString(i);
                HttpServer server = vertx.createHttpServer().requestHandler(request -> {
                    request.response().putHeader("X-Instance", instance);
                    handle(upstream, request);
                });
                join(server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture());
                servers.add(server);
                urls.add("http://127.0.0.1:" + server.actualPort());
            }
            config.put("benchline.gateway." + upstream.configKey(), String.join(",", urls));
        }
        return config;
    }

    @Override
    public void stop() {
        if (vertx != null) {
            join(vertx.close().toCompletionStage().toCompletableFuture());
        }
    }

    static void releaseEvents() {
        releaseEvents("events");
    }

    /** Ends the event streams held under {@code hold}. */
    static void releaseEvents(String hold) {
        released(hold).complete(null);
    }

    private static CompletableFuture<Void> released(String hold) {
        return EVENTS_RELEASED.computeIfAbsent(hold, h -> new CompletableFuture<>());
    }

    private void handle(Upstream upstream, HttpServerRequest request) {
        HttpServerResponse response = request.response().putHeader("X-Upstream", upstream.service());
        String path = request.path();
        boolean reused = served.put(request.connection(), true) != null;
        if (path.endsWith("/closing") && reused && dropped.add(String.valueOf(request.getParam("id")))) {
            CLOSED_REUSED.incrementAndGet();
            request.connection().close();
            return;
        }
        if (path.endsWith("/echo") || path.endsWith("/closing")) {
            echo(request, response);
        } else if (path.endsWith("/download")) {
            download(response, Long.parseLong(request.getParam("bytes")));
        } else if (path.endsWith("/wait")) {
            vertx.setTimer(Long.parseLong(request.getParam("ms")), id -> response.end("waited"));
        } else if (path.endsWith("/events") || path.endsWith("/logs/stream")) {
            String hold = request.getParam("hold");
            events(response, hold == null ? "events" : hold);
        } else if (path.endsWith("/empty")) {
            response.setStatusCode(Integer.parseInt(request.getParam("status"))).end();
        } else if (path.endsWith("/bare")) {
            response.setStatusCode(Integer.parseInt(request.getParam("status"))).putHeader("Allow", "GET")
                    .putHeader("Content-Type", "text/plain").end("bare error");
        } else if (path.endsWith("/problem")) {
            int status = Integer.parseInt(request.getParam("status"));
            response.setStatusCode(status).putHeader("Content-Type", "application/problem+json")
                    .end(new JsonObject().put("type", "https://benchline.io/problems/upstream-own").put("title", "Own")
                            .put("status", status).put("detail", upstream.service()).encode());
        } else {
            response.end(upstream.service() + " " + request.method() + " " + request.uri());
        }
    }

    private static void echo(HttpServerRequest request, HttpServerResponse response) {
        MessageDigest sha256 = sha256();
        long[] size = {0};
        request.handler(chunk -> {
            size[0] += chunk.length();
            sha256.update(chunk.getBytes());
        });
        request.endHandler(v -> {
            JsonObject headers = new JsonObject();
            request.headers().names().forEach(name -> headers.put(name.toLowerCase(java.util.Locale.ROOT),
                    new JsonArray(request.headers().getAll(name))));
            response.putHeader("Content-Type", "application/json").end(new JsonObject()
                    .put("method", request.method().name()).put("uri", request.uri()).put("headers", headers)
                    .put("size", size[0]).put("sha256", HexFormat.of().formatHex(sha256.digest())).toBuffer());
        });
    }

    private static void download(HttpServerResponse response, long bytes) {
        response.setChunked(true).putHeader("Content-Type", "application/octet-stream");
        new Object() {
            long sent;

            void more() {
                while (sent < bytes && !response.writeQueueFull()) {
                    int n = (int) Math.min(64 * 1024, bytes - sent);
                    byte[] chunk = new byte[n];
                    for (int i = 0; i < n; i++) {
                        chunk[i] = (byte) ((sent + i) % PATTERN);
                    }
                    sent += n;
                    response.write(Buffer.buffer(chunk));
                }
                if (sent < bytes) {
                    response.drainHandler(v -> more());
                } else {
                    response.end();
                }
            }
        }.more();
    }

    private void events(HttpServerResponse response, String hold) {
        EVENT_STREAMS_OPEN.incrementAndGet();
        response.setChunked(true).putHeader("Content-Type", "text/event-stream");
        response.write("data: first\n\n");
        CompletableFuture<Void> released = released(hold);
        released.thenRun(() -> vertx.runOnContext(v -> response.end("data: last\n\n")));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
