package io.benchline.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fake object store in a JDK HttpServer for presigned PUTs: records every request with its headers and exact bytes,
 * and answers 200 (or the status and XML error the test sets).
 */
final class FakeS3 implements AutoCloseable {
    record Put(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    private final HttpServer server;
    final List<Put> requests = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile String errorBody = "";

    FakeS3() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A presigned-looking URL of {@code key} (the signature is in the query, as S3 puts it). */
    String url(String key) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/benchline-uploads/" + key
                + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=900&X-Amz-Signature=0123abcd";
    }

    /** From now on answer {@code status} with an S3 XML error of {@code code}. */
    void fail(int status, String code, String message) {
        this.status = status;
        this.errorBody = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message
                + "</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>";
    }

    Put only() {
        if (requests.size() != 1) {
            throw new AssertionError("expected one request to the object store, got " + requests.size());
        }
        return requests.get(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            requests.add(new Put(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(), Map.copyOf(exchange.getRequestHeaders()), body));
            if (status == 200) {
                exchange.getResponseHeaders().set("ETag", "\"etag\"");
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            byte[] bytes = errorBody.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/xml");
            exchange.sendResponseHeaders(status, bytes.length);
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
