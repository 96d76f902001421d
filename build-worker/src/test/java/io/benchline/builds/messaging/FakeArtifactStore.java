package io.benchline.builds.messaging;

import com.sun.net.httpserver.HttpServer;
import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny stand-in for artifact-store's upload endpoint: checks the internal token and content type, answers 201 with
 * the body's real digest and a fixed signature, and keeps the bytes it received by digest.
 */
public class FakeArtifactStore implements QuarkusTestResourceLifecycleManager {
    public static final String SIGNATURE = "ZmFrZS1zaWduYXR1cmU=";
    public static final String KEY_ID = "ed25519-0123456789abcdef";
    public static final Map<String, byte[]> STORED = new ConcurrentHashMap<>();
    /** How many of the next uploads answer 503 (to exercise the retry). */
    public static final AtomicInteger FAIL_NEXT = new AtomicInteger();
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/internal/v1/artifacts", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                String answer;
                int status;
                if (!"POST".equals(exchange.getRequestMethod())
                        || !exchange.getRequestURI().getPath().equals("/internal/v1/artifacts")) {
                    status = 404;
                    answer = "{\"title\":\"Not Found\",\"status\":404}";
                } else if (!BenchlineInfra.INTERNAL_TOKEN.equals(
                        exchange.getRequestHeaders().getFirst("X-Benchline-Internal-Token"))) {
                    status = 401;
                    answer = "{\"title\":\"Unauthorized\",\"status\":401,\"detail\":\"bad internal token\"}";
                } else if (!"application/zip".equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
                    status = 415;
                    answer = "{\"title\":\"Unsupported Media Type\",\"status\":415}";
                } else if (FAIL_NEXT.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    status = 503;
                    answer = "{\"title\":\"Service Unavailable\",\"status\":503,\"detail\":\"try again\"}";
                } else {
                    String digest = "sha256:" + HexFormat.of().formatHex(sha256(body));
                    STORED.put(digest, body);
                    status = 201;
                    answer = "{\"digest\":\"" + digest + "\",\"size_bytes\":" + body.length + ",\"signature\":\""
                            + SIGNATURE + "\",\"key_id\":\"" + KEY_ID + "\"}";
                }
                byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type",
                        status == 201 ? "application/json" : "application/problem+json");
                exchange.sendResponseHeaders(status, bytes.length);
                exchange.getResponseBody().write(bytes);
            }
        });
        server.start();
        return Map.of("benchline.services.artifact-url", "http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static byte[] sha256(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
