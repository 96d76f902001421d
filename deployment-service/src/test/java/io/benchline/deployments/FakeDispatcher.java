package io.benchline.deployments;

import com.sun.net.httpserver.HttpExchange;
import io.benchline.testsupport.FakePeer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * station-dispatcher's delete check as deployment-service calls it (the dispatcher's own tests race the real check
 * against pins and rollbacks); artifact-store's delete is {@link FakeArtifactStore}'s, which owns
 * {@code benchline.services.artifact-url} (two test resources cannot both set it):
 * <ul>
 * <li>{@code POST /internal/v1/deployments/{id}/tombstone} → 409 naming the stations a test put in {@link #IN_USE},
 * 503 for ids in {@link #DOWN}, else 204</li>
 * </ul>
 */
public class FakeDispatcher extends FakePeer {
    static final Map<String, List<String>> IN_USE = new ConcurrentHashMap<>();
    static final Set<String> DOWN = ConcurrentHashMap.newKeySet();
    static final Set<String> TOMBSTONED = ConcurrentHashMap.newKeySet();
    /** Deployments released ({@code POST /internal/v1/deployments/{id}/release}), with the note sent. */
    static final Map<String, String> RELEASED = new ConcurrentHashMap<>();
    /** The artifact deletes {@link FakeArtifactStore} answered. */
    static final List<String> ARTIFACT_DELETES = FakeArtifactStore.ARTIFACT_DELETES;

    @Override
    protected Map<String, String> config(String baseUrl) {
        return Map.of("benchline.services.dispatcher-url", baseUrl);
    }

    @Override
    protected void handle(HttpExchange exchange) throws IOException {
        if (!hasInternalToken(exchange)) {
            answer(exchange, 401, "{\"title\":\"Unauthorized\",\"status\":401}");
            return;
        }
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        if (method.equals("POST") && path.startsWith("/internal/v1/deployments/") && path.endsWith("/tombstone")) {
            String id = path.substring("/internal/v1/deployments/".length(), path.length() - "/tombstone".length());
            List<String> stations = IN_USE.get(id);
            if (DOWN.contains(id)) {
                answer(exchange, 503, "{\"title\":\"Service unavailable\",\"status\":503}");
            } else if (stations != null) {
                answer(exchange, 409, "{\"type\":\"https://benchline.io/problems/deployment-in-use\",\"status\":409,"
                        + "\"detail\":\"deployment " + id + " is assigned to " + stations.size() + " station(s)\","
                        + "\"stations\":[" + String.join(",", stations.stream().map(s -> "\"" + s + "\"").toList())
                        + "],\"station_count\":" + stations.size() + "}");
            } else {
                TOMBSTONED.add(id);
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            }
            return;
        }
        if (method.equals("POST") && path.startsWith("/internal/v1/deployments/") && path.endsWith("/release")) {
            String id = path.substring("/internal/v1/deployments/".length(), path.length() - "/release".length());
            RELEASED.put(id, new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            answer(exchange, 200, "{\"moved\":1}");
            return;
        }
        answer(exchange, 404, "{\"title\":\"Not Found\",\"status\":404}");
    }
}
