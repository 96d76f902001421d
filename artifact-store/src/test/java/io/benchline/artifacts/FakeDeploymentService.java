package io.benchline.artifacts;

import com.sun.net.httpserver.HttpExchange;
import io.benchline.testsupport.FakePeer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Stands in for deployment-service's key introspection: {@code POST /internal/v1/auth/introspect {api_key}} answers
 * 200 {@code {org_id, key_id}} for {@link #API_KEY} (with the right internal token) and 401 for anything else.
 */
public class FakeDeploymentService extends FakePeer {
    public static final String API_KEY = "bk_test_artifact_store_key";
    public static final String ORG_ID = "org_01jtestartifactstore00000";
    public static final String KEY_ID = "key_01jtestartifactstore00000";

    @Override
    protected Map<String, String> config(String baseUrl) {
        return Map.of("benchline.auth.deployment-service-url", baseUrl);
    }

    @Override
    protected void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        boolean ok = "POST".equals(exchange.getRequestMethod())
                && exchange.getRequestURI().getPath().equals("/internal/v1/auth/introspect")
                && hasInternalToken(exchange)
                && body.replace(" ", "").contains("\"api_key\":\"" + API_KEY + "\"");
        answer(exchange, ok ? 200 : 401, ok ? "{\"org_id\":\"" + ORG_ID + "\",\"key_id\":\"" + KEY_ID + "\"}"
                : "{\"title\":\"Unauthorized\",\"status\":401}");
    }
}
