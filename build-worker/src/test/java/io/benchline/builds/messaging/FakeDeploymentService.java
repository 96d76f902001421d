package io.benchline.builds.messaging;

import com.sun.net.httpserver.HttpExchange;
import io.benchline.testsupport.FakePeer;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for deployment-service's credentials endpoint ({@code GET /internal/v1/procedures/{id}/credentials}):
 * answers the JSON given in {@link #CREDENTIALS} for a procedure (404 without), checks the internal token, and
 * records every request as {@code procedure_id?deployment_id=...}.
 */
public class FakeDeploymentService extends FakePeer {
    public static final Map<String, String> CREDENTIALS = new ConcurrentHashMap<>();
    public static final List<String> REQUESTS = new CopyOnWriteArrayList<>();

    @Override
    protected Map<String, String> config(String baseUrl) {
        return Map.of("benchline.services.deployment-url", baseUrl);
    }

    @Override
    protected void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String prefix = "/internal/v1/procedures/";
        if (!"GET".equals(exchange.getRequestMethod()) || !path.startsWith(prefix) || !path.endsWith("/credentials")) {
            answer(exchange, 404, "{\"title\":\"Not Found\",\"status\":404}");
            return;
        }
        if (!hasInternalToken(exchange)) {
            answer(exchange, 401, "{\"title\":\"Unauthorized\",\"status\":401}");
            return;
        }
        String procedureId = path.substring(prefix.length(), path.length() - "/credentials".length());
        REQUESTS.add(procedureId + "?" + exchange.getRequestURI().getQuery());
        String json = CREDENTIALS.get(procedureId);
        if (json == null) {
            answer(exchange, 404, "{\"type\":\"https://benchline.io/problems/no-credentials\",\"status\":404}");
        } else {
            answer(exchange, 200, json);
        }
    }
}
