package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fake public API (gateway) in a JDK HttpServer: the test sets an answer per request line
 * ({@code "POST /v2/deployments/dep_1/promote"}, optionally with the query), every request is recorded.
 * A request without an answer gets a 599 problem, so a test notices a call it did not expect.
 */
final class FakeApi implements AutoCloseable {
    static final String KEY = "blk_test_key";

    record Request(String method, String path, String query, String body, String authorization, String contentType) {
        JsonNode json() throws IOException {
            return Json.MAPPER.readTree(body);
        }
    }

    private record Answer(int status, String contentType, String body) {
    }

    private final HttpServer server;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> streams = new ConcurrentHashMap<>();
    private final Map<String, java.util.Deque<Answer>> sequences = new ConcurrentHashMap<>();
    private final Map<String, Runnable> hooks = new ConcurrentHashMap<>();
    final List<String> lastEventIds = new CopyOnWriteArrayList<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();

    FakeApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers {@code request} ("METHOD /path" or "METHOD /path?query") with JSON, or with nothing when body is null. */
    FakeApi answer(String request, int status, String body) {
        answers.put(request, new Answer(status, "application/json", body));
        return this;
    }

    /** Answers {@code request} with these JSON bodies in turn, the last one from then on. */
    FakeApi answers(String request, int status, String... bodies) {
        java.util.Deque<Answer> sequence = new java.util.concurrent.ConcurrentLinkedDeque<>();
        for (String body : bodies) {
            sequence.add(new Answer(status, "application/json", body));
        }
        sequences.put(request, sequence);
        answers.remove(request);
        return this;
    }

    /**
     * Adds one answer to {@code request}'s turn (as {@link #answers} sets it), so that a sequence can mix statuses;
     * 400 and more are problem JSON.
     */
    FakeApi then(String request, int status, String body) {
        sequences.computeIfAbsent(request, r -> new java.util.concurrent.ConcurrentLinkedDeque<>())
                .add(new Answer(status, status >= 400 ? "application/problem+json" : "application/json", body));
        answers.remove(request);
        return this;
    }

    /** Runs {@code action} (on the server's thread) each time {@code request} ("METHOD /path") arrives, before it is answered. */
    FakeApi whenRequested(String request, Runnable action) {
        hooks.put(request, action);
        return this;
    }

    /** The recorded requests with this method and path, in order. */
    List<Request> requests(String method, String path) {
        return requests.stream().filter(r -> r.method().equals(method) && r.path().equals(path)).toList();
    }

    /** Answers with RFC 9457 problem JSON. */
    FakeApi problem(String request, int status, String body) {
        answers.put(request, new Answer(status, "application/problem+json", body));
        return this;
    }

    /** Answers with a non-JSON body (a proxy's error page). */
    FakeApi text(String request, int status, String body) {
        answers.put(request, new Answer(status, "text/plain", body));
        return this;
    }

    /** Answers an event stream whose body depends on the request's Last-Event-ID ("" when it sends none). */
    FakeApi stream(String request, Map<String, String> byLastEventId) {
        streams.put(request, byLastEventId);
        return this;
    }

    Request only() {
        if (requests.size() != 1) {
            throw new AssertionError("expected one request, got " + requests);
        }
        return requests.get(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new Request(method, path, query, body,
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestHeaders().getFirst("Content-Type")));
            Runnable hook = hooks.get(method + " " + path);
            if (hook != null) {
                hook.run();
            }
            Answer answer = query == null ? null : answers.get(method + " " + path + "?" + query);
            if (answer == null) {
                answer = answers.get(method + " " + path);
            }
            java.util.Deque<Answer> sequence = sequences.get(method + " " + path);
            if (answer == null && sequence != null) {
                answer = sequence.size() > 1 ? sequence.poll() : sequence.peek();
            }
            Map<String, String> stream = streams.get(method + " " + path);
            if (answer == null && stream != null) {
                String last = exchange.getRequestHeaders().getFirst("Last-Event-ID");
                lastEventIds.add(last == null ? "" : last);
                String streamed = stream.get(last == null ? "" : last);
                answer = streamed == null ? new Answer(404, "application/problem+json", "{\"status\":404}")
                        : new Answer(200, "text/event-stream", streamed);
            }
            if (answer == null) {
                answer = new Answer(599, "application/problem+json",
                        "{\"title\":\"no answer set in the fake\",\"status\":599,\"detail\":\"" + method + " " + path
                                + "\"}");
            }
            if (answer.body() == null) {
                exchange.sendResponseHeaders(answer.status(), -1);
                return;
            }
            byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", answer.contentType());
            exchange.sendResponseHeaders(answer.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
