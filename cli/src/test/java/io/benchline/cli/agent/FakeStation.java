package io.benchline.cli.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.benchline.cli.agent.AgentMessages.Artifact;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fake station-dispatcher (agent channel) and a fake S3 (presigned downloads) in one JDK HttpServer.
 * Assignments and run requests are set by the test; reports are recorded. Like the real dispatcher, a run
 * report naming a run request claims it (it disappears from the open run requests).
 */
final class FakeStation implements AutoCloseable {
    static final String TOKEN = "agt_test_token";
    static final String ORG = "org_01jd00000000000000000000aa";
    /** The key list {@code GET /agent/v1/keys} serves (null: 404, a dispatcher without it); its ETag. */
    private volatile String keysBody;
    private volatile int keysVersion;
    /** If-None-Match of every GET /agent/v1/keys ("" for none), in order. */
    final List<String> keysRequests = new CopyOnWriteArrayList<>();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Map<String, byte[]> objects = new ConcurrentHashMap<>();
    private final List<Map<String, Object>> assignments = new CopyOnWriteArrayList<>();
    private final List<Map<String, Object>> runRequests = new CopyOnWriteArrayList<>();
    final List<JsonNode> pointerReports = new CopyOnWriteArrayList<>();
    /** PUT /agent/v1/pointers/{procedure}/state bodies, in order. */
    final List<JsonNode> stateReports = new CopyOnWriteArrayList<>();
    final List<String> pointerPaths = new CopyOnWriteArrayList<>();
    final List<JsonNode> runReports = new CopyOnWriteArrayList<>();
    final List<String> downloadAuthHeaders = new CopyOnWriteArrayList<>();
    final List<String> unauthorized = new CopyOnWriteArrayList<>();
    volatile int failAgentCallsWith;
    /** Agent calls answered with {@code failAgentCallsWith}. */
    final java.util.concurrent.atomic.AtomicInteger failedAgentCalls = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean closed;
    /** Query strings of every GET /agent/v1/assignments, in order ("" for none). */
    final List<String> assignmentQueries = new CopyOnWriteArrayList<>();
    /** When true, GET /agent/v1/assignments answers with an ETag and holds If-None-Match requests (push channel). */
    private final boolean push;
    /** Bumped on every change of assignments or run requests; the ETag. */
    private long version;

    FakeStation() throws IOException {
        this(false);
    }

    FakeStation(boolean push) throws IOException {
        this.push = push;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/agent/v1/", this::agent);
        server.createContext("/s3/", this::s3);
        // Held long-polls must not block the other calls.
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-station");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    private synchronized void changed() {
        version++;
        notifyAll();
    }

    /** Holds while the client's tag is current, up to {@code waitSeconds}; returns the tag after the wait. */
    private synchronized long awaitChange(String ifNoneMatch, long waitSeconds) throws IOException {
        long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
        while (("\"" + version + "\"").equals(ifNoneMatch) && System.nanoTime() < deadline) {
            try {
                wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        return version;
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Stores bytes in the fake bucket and answers the presigned-style URL. */
    String put(String name, byte[] bytes) {
        objects.put(name, bytes);
        return url() + "/s3/bucket/" + name + "?X-Amz-Signature=fake";
    }

    /** Replaces the assignment of a procedure (one pointer per procedure, like the dispatcher). */
    synchronized void assign(String procedureId, String deploymentId, long pointerVersion, Artifact artifact,
            String downloadUrl) {
        assignments.removeIf(a -> a.get("procedure_id").equals(procedureId));
        assignments.add(Map.of("procedure_id", procedureId, "deployment_id", deploymentId, "pointer_version",
                pointerVersion, "artifact", Map.of("digest", artifact.digest(), "size_bytes", artifact.sizeBytes(),
                        "signature", artifact.signature(), "key_id", artifact.keyId()),
                "download_url", downloadUrl));
        changed();
    }

    /** Sets the procedure's station settings on its assignment (as the dispatcher sends them). */
    synchronized void settings(String procedureId, long idleWindowSeconds, long maxDeferralSeconds) {
        for (int i = 0; i < assignments.size(); i++) {
            if (assignments.get(i).get("procedure_id").equals(procedureId)) {
                Map<String, Object> a = new java.util.HashMap<>(assignments.get(i));
                a.put("idle_window_seconds", idleWindowSeconds);
                a.put("max_deferral_seconds", maxDeferralSeconds);
                assignments.set(i, Map.copyOf(a));
            }
        }
        changed();
    }

    /** Unlinks the station from a procedure: its assignment disappears, like the dispatcher's cleared pointer. */
    synchronized void unassign(String procedureId) {
        assignments.removeIf(a -> a.get("procedure_id").equals(procedureId));
        changed();
    }

    /** What GET /agent/v1/keys serves from now on (a rotation); a new ETag. */
    void serveKeys(String body) {
        keysBody = body;
        keysVersion++;
    }

    void requestRun(String requestId, String procedureId) {
        runRequests.add(Map.of("id", requestId, "procedure_id", procedureId));
        changed();
    }

    List<JsonNode> runReports(String phase) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode r : runReports) {
            if (r.path("phase").asText().equals(phase)) {
                out.add(r);
            }
        }
        return out;
    }

    private void agent(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                unauthorized.add(exchange.getRequestURI().getPath());
                respond(exchange, 401, "{\"title\":\"no\"}");
                return;
            }
            if (failAgentCallsWith != 0) {
                failedAgentCalls.incrementAndGet();
                respond(exchange, failAgentCallsWith, "{\"title\":\"unavailable\"}");
                return;
            }
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (method.equals("GET") && path.equals("/agent/v1/keys")) {
                String ifNoneMatch = exchange.getRequestHeaders().getFirst("If-None-Match");
                keysRequests.add(ifNoneMatch == null ? "" : ifNoneMatch);
                String body = keysBody;
                if (body == null) {
                    respond(exchange, 404, "{\"title\":\"Not found\"}");
                    return;
                }
                String tag = "\"keys-" + keysVersion + "\"";
                exchange.getResponseHeaders().set("ETag", tag);
                if (tag.equals(ifNoneMatch)) {
                    exchange.sendResponseHeaders(304, -1);
                    return;
                }
                respond(exchange, 200, body);
            } else if (method.equals("GET") && path.equals("/agent/v1/assignments")) {
                String query = exchange.getRequestURI().getQuery();
                assignmentQueries.add(query == null ? "" : query);
                if (push) {
                    String ifNoneMatch = exchange.getRequestHeaders().getFirst("If-None-Match");
                    long wait = query != null && query.startsWith("wait=") ? Long.parseLong(query.substring(5)) : 0;
                    long tag = awaitChange(ifNoneMatch, wait);
                    exchange.getResponseHeaders().set("ETag", "\"" + tag + "\"");
                    if (("\"" + tag + "\"").equals(ifNoneMatch)) {
                        exchange.sendResponseHeaders(304, -1);
                        return;
                    }
                }
                respond(exchange, 200, JSON.writeValueAsString(Map.of("station_id", "stn_test", "organization_id", ORG,
                        "assignments", List.copyOf(assignments), "run_requests", List.copyOf(runRequests))));
            } else if (method.equals("PUT") && path.startsWith("/agent/v1/pointers/") && path.endsWith("/state")) {
                stateReports.add(JSON.readTree(exchange.getRequestBody()));
                respond(exchange, 200, "{}");
            } else if (method.equals("PUT") && path.startsWith("/agent/v1/pointers/")) {
                pointerPaths.add(path);
                pointerReports.add(JSON.readTree(exchange.getRequestBody()));
                respond(exchange, 200, "{}");
            } else if (method.equals("POST") && path.equals("/agent/v1/runs")) {
                JsonNode report = JSON.readTree(exchange.getRequestBody());
                runReports.add(report);
                String requestId = report.path("run_request_id").asText(null);
                if (requestId != null && runRequests.removeIf(r -> r.get("id").equals(requestId))) {
                    changed();
                }
                respond(exchange, 202, "{}");
            } else {
                respond(exchange, 404, "{}");
            }
        }
    }

    private void s3(HttpExchange exchange) throws IOException {
        try (exchange) {
            downloadAuthHeaders.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            String name = exchange.getRequestURI().getPath().substring("/s3/bucket/".length());
            byte[] bytes = objects.get(name);
            if (bytes == null) {
                respond(exchange, 404, "<Error><Code>NoSuchKey</Code></Error>");
                return;
            }
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop(0);
    }
}
