package io.benchline.artifacts;

import com.sun.net.httpserver.HttpServer;
import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Stands in for deployment-service's key introspection: {@code POST /internal/v1/auth/introspect {api_key}} answers
 * 200 {@code {org_id, key_id}} for {@link #API_KEY} (with the right internal token) and 401 for anything else.
 */
public class FakeDeploymentService implements QuarkusTestResourceLifecycleManager {
    public static final String API_KEY = "bk_test_artifact_store_key";
    public static final String ORG_ID = "org_01jtestartifactstore00000";
    public static final String KEY_ID = "key_01jtestartifactstore00000";
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/internal/v1/auth/introspect", exchange -> {
            try (exchange) {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                boolean ok = "POST".equals(exchange.getRequestMethod())
                        && BenchlineInfra.INTERNAL_TOKEN.equals(
                                exchange.getRequestHeaders().getFirst("X-Benchline-Internal-Token"))
                        && body.replace(" ", "").contains("\"api_key\":\"" + API_KEY + "\"");
                String answer = ok ? "{\"org_id\":\"" + ORG_ID + "\",\"key_id\":\"" + KEY_ID + "\"}"
                        : "{\"title\":\"Unauthorized\",\"status\":401}";
                byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", ok ? "application/json" : "application/problem+json");
                exchange.sendResponseHeaders(ok ? 200 : 401, bytes.length);
                exchange.getResponseBody().write(bytes);
            }
        });
        server.start();
        return Map.of("benchline.auth.deployment-service-url", "http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
