package io.benchline.stations;

import com.sun.net.httpserver.HttpExchange;
import io.benchline.testsupport.FakePeer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * deployment-service and artifact-store as station-dispatcher sees them, on one HttpServer:
 * <ul>
 * <li>{@code POST /internal/v1/auth/introspect {api_key}} → {@code {org_id, key_id, key_name, role}} for the known
 * keys (organization A: admin, member, viewer; organization B: admin), else 401</li>
 * <li>{@code GET /v2/procedures/{id}} with the caller's key → 200 when the test registered the procedure for the
 * key's organization, else 404</li>
 * <li>{@code GET /internal/v1/artifacts/{digest}/download-url} → {@code {url, expires_at}}</li>
 * <li>{@code GET /internal/v1/organizations/{org}/keys} → a key list naming the organization, {@code ETag}
 * {@code "keys-<org>-<KEYS_VERSION>"}, 304 for a matching {@code If-None-Match}</li>
 * </ul>
 */
public class FakePeers extends FakePeer {
    public static final String API_KEY = "bk_test_dispatcher_org_a";
    public static final String ORG_ID = "org_01jtestdispatcherorgaaaaaa";
    public static final String OTHER_API_KEY = "bk_test_dispatcher_org_b";
    public static final String ADMIN_KEY_ID = "key_01jtestdispatcherkeyadmina";
    public static final String MEMBER_API_KEY = "bk_test_dispatcher_org_a_member";
    public static final String VIEWER_API_KEY = "bk_test_dispatcher_org_a_viewer";
    public static final String OTHER_ORG_ID = "org_01jtestdispatcherorgbbbbbb";
    public static final String DOWNLOAD_BASE = "http://s3.example.test/benchline-artifacts/";
    /** procedure id → organization. */
    public static final Map<String, String> PROCEDURES = new ConcurrentHashMap<>();
    public static final AtomicInteger DOWNLOAD_URL_CALLS = new AtomicInteger();
    /** Bumped by a test to stand for a rotation: the key list and its tag change. */
    public static final AtomicInteger KEYS_VERSION = new AtomicInteger(1);
    @Override
    protected Map<String, String> config(String url) {
        return Map.of("benchline.auth.deployment-service-url", url,
                "benchline.services.deployment-url", url,
                "benchline.services.artifact-url", url);
    }

    private static String caller(String orgId, String keyId, String name, String role) {
        return "{\"org_id\":\"" + orgId + "\",\"key_id\":\"" + keyId + "\",\"key_name\":\"" + name
                + "\",\"role\":\"" + role + "\"}";
    }

    @Override
    protected void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).replace(" ", "");
        boolean internal = hasInternalToken(exchange);
        if (method.equals("POST") && path.equals("/internal/v1/auth/introspect")) {
            if (internal && body.contains("\"api_key\":\"" + API_KEY + "\"")) {
                answer(exchange, 200, caller(ORG_ID, ADMIN_KEY_ID, "ci admin", "admin"));
            } else if (internal && body.contains("\"api_key\":\"" + MEMBER_API_KEY + "\"")) {
                answer(exchange, 200, caller(ORG_ID, "key_01jtestdispatcherkeymember", "line lead", "member"));
            } else if (internal && body.contains("\"api_key\":\"" + VIEWER_API_KEY + "\"")) {
                answer(exchange, 200, caller(ORG_ID, "key_01jtestdispatcherkeyviewer", "dashboard", "viewer"));
            } else if (internal && body.contains("\"api_key\":\"" + OTHER_API_KEY + "\"")) {
                answer(exchange, 200, caller(OTHER_ORG_ID, "key_01jtestdispatcherkeyotherb", "other org", "admin"));
            } else {
                answer(exchange, 401, "{\"title\":\"Unauthorized\",\"status\":401}");
            }
            return;
        }
        if (method.equals("GET") && path.startsWith("/v2/procedures/")) {
            String id = path.substring("/v2/procedures/".length());
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            String org = ("Bearer " + API_KEY).equals(auth) || ("Bearer " + MEMBER_API_KEY).equals(auth)
                    || ("Bearer " + VIEWER_API_KEY).equals(auth) ? ORG_ID
                    : ("Bearer " + OTHER_API_KEY).equals(auth) ? OTHER_ORG_ID : null;
            if (org == null) {
                answer(exchange, 401, "{\"title\":\"Unauthorized\",\"status\":401}");
            } else if (org.equals(PROCEDURES.get(id))) {
                answer(exchange, 200, "{\"id\":\"" + id + "\",\"name\":\"Voltage check\"}");
            } else {
                answer(exchange, 404, "{\"title\":\"Not found\",\"status\":404}");
            }
            return;
        }
        if (method.equals("GET") && path.startsWith("/internal/v1/artifacts/") && path.endsWith("/download-url")) {
            if (!internal) {
                answer(exchange, 401, "{\"title\":\"Unauthorized\",\"status\":401}");
                return;
            }
            DOWNLOAD_URL_CALLS.incrementAndGet();
            String digest = path.substring("/internal/v1/artifacts/".length(), path.length() - "/download-url".length());
            Instant expires = Instant.now().plus(15, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
            answer(exchange, 200, "{\"url\":\"" + DOWNLOAD_BASE + digest.replace(':', '-') + ".zip?sig=x\","
                    + "\"expires_at\":\"" + expires + "\"}");
            return;
        }
        if (method.equals("GET") && path.startsWith("/internal/v1/organizations/") && path.endsWith("/keys")) {
            if (!internal) {
                answer(exchange, 401, "{\"title\":\"Unauthorized\",\"status\":401}");
                return;
            }
            String org = path.substring("/internal/v1/organizations/".length(), path.length() - "/keys".length());
            String tag = "keys-" + org + "-" + KEYS_VERSION.get();
            exchange.getResponseHeaders().set("ETag", "\"" + tag + "\"");
            if (("\"" + tag + "\"").equals(exchange.getRequestHeaders().getFirst("If-None-Match"))) {
                exchange.sendResponseHeaders(304, -1);
                exchange.close();
                return;
            }
            answer(exchange, 200, "{\"organization_id\":\"" + org + "\",\"keys\":[{\"id\":\"ed25519-v"
                    + KEYS_VERSION.get() + "\",\"key_id\":\"ed25519-v" + KEYS_VERSION.get()
                    + "\",\"organization_id\":\"" + org + "\",\"algorithm\":\"Ed25519\",\"public_key\":\"AA==\","
                    + "\"status\":\"active\"}]}");
            return;
        }
        answer(exchange, 404, "{\"title\":\"Not found\",\"status\":404}");
    }

}
