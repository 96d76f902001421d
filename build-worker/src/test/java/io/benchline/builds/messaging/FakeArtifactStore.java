package io.benchline.builds.messaging;

import com.sun.net.httpserver.HttpExchange;
import io.benchline.testsupport.FakePeer;

import java.io.IOException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny stand-in for artifact-store's upload endpoint: checks the internal token and content type, answers 201 with
 * the body's real digest and a fixed signature, and keeps the bytes it received by digest.
 */
public class FakeArtifactStore extends FakePeer {
    public static final String SIGNATURE = "ZmFrZS1zaWduYXR1cmU=";
    public static final String KEY_ID = "ed25519-0123456789abcdef";
    public static final Map<String, byte[]> STORED = new ConcurrentHashMap<>();
    /** The query string each digest was last uploaded with ({@code organization_id=…&procedure_id=…}). */
    public static final Map<String, String> QUERIES = new ConcurrentHashMap<>();
    /** How many of the next uploads answer 503 (to exercise the retry). */
    public static final AtomicInteger FAIL_NEXT = new AtomicInteger();
    @Override
    protected Map<String, String> config(String baseUrl) {
        return Map.of("benchline.services.artifact-url", baseUrl);
    }

    @Override
    protected void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        if (!"POST".equals(exchange.getRequestMethod())
                || !exchange.getRequestURI().getPath().equals("/internal/v1/artifacts")) {
            answer(exchange, 404, "{\"title\":\"Not Found\",\"status\":404}");
        } else if (!hasInternalToken(exchange)) {
            answer(exchange, 401, "{\"title\":\"Unauthorized\",\"status\":401,\"detail\":\"bad internal token\"}");
        } else if (!"application/zip".equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
            answer(exchange, 415, "{\"title\":\"Unsupported Media Type\",\"status\":415}");
        } else if (FAIL_NEXT.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            answer(exchange, 503, "{\"title\":\"Service Unavailable\",\"status\":503,\"detail\":\"try again\"}");
        } else {
            String digest = "sha256:" + HexFormat.of().formatHex(sha256(body));
            STORED.put(digest, body);
            QUERIES.put(digest, String.valueOf(exchange.getRequestURI().getQuery()));
            answer(exchange, 201, "{\"digest\":\"" + digest + "\",\"size_bytes\":" + body.length
                    + ",\"signature\":\"" + SIGNATURE + "\",\"key_id\":\"" + KEY_ID + "\"}");
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
