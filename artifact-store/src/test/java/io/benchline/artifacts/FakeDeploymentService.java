package io.benchline.artifacts;

import com.sun.net.httpserver.HttpExchange;
import io.benchline.testsupport.FakePeer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Stands in for deployment-service's key introspection: {@code POST /internal/v1/auth/introspect {api_key}} answers
 * 200 {@code {org_id, key_id, key_name, role}} for the keys below (with the right internal token) and 401 for
 * anything else. {@link #API_KEY} is an admin of {@link #ORG_ID}; {@link #OTHER_ORG_KEY} an admin of another one.
 */
public class FakeDeploymentService extends FakePeer {
    public static final String API_KEY = "bk_test_artifact_store_key";
    public static final String ORG_ID = "org_01jtestartifactstore00000";
    public static final String KEY_ID = "key_01jtestartifactstore00000";
    public static final String MEMBER_KEY = "bk_test_artifact_store_member";
    public static final String VIEWER_KEY = "bk_test_artifact_store_viewer";
    public static final String OTHER_ORG_KEY = "bk_test_artifact_store_other_org";
    public static final String OTHER_ORG_ID = "org_01jtestartifactstoreother";

    private record Known(String orgId, String keyId, String role) {
    }

    private static final Map<String, Known> KEYS = Map.of(
            API_KEY, new Known(ORG_ID, KEY_ID, "admin"),
            MEMBER_KEY, new Known(ORG_ID, "key_01jtestartifactstoremember", "member"),
            VIEWER_KEY, new Known(ORG_ID, "key_01jtestartifactstoreviewer", "viewer"),
            OTHER_ORG_KEY, new Known(OTHER_ORG_ID, "key_01jtestartifactstoreothero", "admin"));

    @Override
    protected Map<String, String> config(String baseUrl) {
        return Map.of("benchline.auth.deployment-service-url", baseUrl);
    }

    @Override
    protected void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        boolean ok = "POST".equals(exchange.getRequestMethod())
                && exchange.getRequestURI().getPath().equals("/internal/v1/auth/introspect")
                && hasInternalToken(exchange);
        String compact = body.replace(" ", "");
        Known known = !ok ? null : KEYS.entrySet().stream()
                .filter(e -> compact.contains("\"api_key\":\"" + e.getKey() + "\"")).map(Map.Entry::getValue)
                .findFirst().orElse(null);
        answer(exchange, known != null ? 200 : 401, known != null
                ? "{\"org_id\":\"" + known.orgId() + "\",\"key_id\":\"" + known.keyId() + "\",\"key_name\":\"test\","
                        + "\"role\":\"" + known.role() + "\"}"
                : "{\"title\":\"Unauthorized\",\"status\":401}");
    }
}
