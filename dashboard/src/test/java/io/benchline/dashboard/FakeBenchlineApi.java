package io.benchline.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The public REST API as the dashboard sees it through the gateway, on a random port: JSON shaped as
 * deployment-service and station-dispatcher answer it (snake_case, nulls included, problem JSON for refusals). Three
 * keys, one per role; {@code dep_pinned} is refused a delete as station-dispatcher refuses it; {@code dep_missing}
 * does not exist. Every request is recorded as "METHOD path?query Bearer-key".
 */
public class FakeBenchlineApi implements QuarkusTestResourceLifecycleManager {
    static final String ADMIN = "blk_admin000000000000000000000000000000000000000000";
    static final String MEMBER = "blk_member00000000000000000000000000000000000000000";
    static final String VIEWER = "blk_viewer00000000000000000000000000000000000000000";
    static final String NEXT_CURSOR = "dep_01j0000000000000000000000b";
    static final List<String> REQUESTS = new CopyOnWriteArrayList<>();
    private static final Map<String, String> ROLES = Map.of(ADMIN, "admin", MEMBER, "member", VIEWER, "viewer");

    private HttpServer server;
    private ExecutorService executor;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        executor = Executors.newFixedThreadPool(8);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        return Map.of("benchline.dashboard.api-url", "http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void stop() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String method = x.getRequestMethod();
            String path = x.getRequestURI().getRawPath();
            String query = x.getRequestURI().getRawQuery();
            String auth = x.getRequestHeaders().getFirst("Authorization");
            String key = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : "";
            String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            REQUESTS.add(method + " " + path + (query == null ? "" : "?" + query) + " " + key);
            String role = ROLES.get(key);
            if (role == null) {
                problem(x, 401, "unauthorized", "Unauthorized", "the API key is not valid", path, "");
                return;
            }
            route(x, method, path, role, body);
        }
    }

    private void route(HttpExchange x, String method, String path, String role, String body) throws IOException {
        String accept = x.getRequestHeaders().getFirst("Accept");
        if (method.equals("GET") && path.equals("/v2/api-keys/current")) {
            json(x, 200, "{\"id\":\"key_" + role + "\",\"name\":\"" + role + " key\",\"role\":\"" + role
                    + "\",\"organization_id\":\"org_1\"}");
        } else if (method.equals("GET") && path.equals("/v2/api-keys")) {
            if (role.equals("admin")) {
                json(x, 200, "{\"data\":[]}");
            } else {
                missingRole(x, role, "admin", "listing API keys", path);
            }
        } else if (method.equals("GET") && path.equals("/v2/procedures")) {
            json(x, 200, "{\"data\":[" + procedure() + "]}");
        } else if (method.equals("GET") && path.equals("/v2/procedures/prc_1")) {
            json(x, 200, procedure());
        } else if (method.equals("GET") && path.equals("/v2/deployments")) {
            boolean firstPage = x.getRequestURI().getRawQuery() == null
                    || !x.getRequestURI().getRawQuery().contains("cursor=");
            json(x, 200, firstPage
                    ? "{\"data\":[" + deployment("dep_ready", "ready", "preview") + ","
                            + deployment("dep_failed", "failed", "preview") + "],\"next_cursor\":\"" + NEXT_CURSOR
                            + "\"}"
                    : "{\"data\":[" + deployment("dep_prod", "ready", "production") + "],\"next_cursor\":null}");
        } else if (method.equals("POST") && path.equals("/v2/deployments")) {
            if (role.equals("viewer")) {
                missingRole(x, role, "member", "creating a deployment", path);
            } else if (!body.contains("procedure_id")) {
                problem(x, 400, "invalid-request", "Invalid request", "procedure_id: is required", path,
                        ",\"errors\":[{\"field\":\"procedure_id\",\"message\":\"is required\"}]");
            } else {
                json(x, 202, deployment("dep_new", "pending", "preview"));
            }
        } else if (method.equals("GET") && path.equals("/v2/deployments/dep_missing")) {
            problem(x, 404, "not-found", "Not Found", "deployment dep_missing does not exist", path, "");
        } else if (method.equals("GET") && path.matches("/v2/deployments/dep_[a-z]+")) {
            String id = path.substring("/v2/deployments/".length());
            json(x, 200, deployment(id, id.equals("dep_failed") ? "failed" : "ready", "preview"));
        } else if (method.equals("GET") && path.endsWith("/logs") && "text/event-stream".equals(accept)) {
            x.getResponseHeaders().set("Content-Type", "text/event-stream");
            x.sendResponseHeaders(200, 0);
            try (OutputStream out = x.getResponseBody()) {
                out.write(("id: 3\nevent: line\ndata: {\"number\":3,\"timestamp\":\"2026-03-01T10:00:03Z\","
                        + "\"level\":\"info\",\"text\":\"packed 2 files\"}\n\nevent: end\ndata: {\"status\":\"ready\"}"
                        + "\n\n").getBytes(StandardCharsets.UTF_8));
            }
        } else if (method.equals("GET") && path.endsWith("/logs")) {
            json(x, 200, "{\"data\":[{\"number\":1,\"timestamp\":\"2026-03-01T10:00:01Z\",\"level\":\"info\","
                    + "\"text\":\"cloning voltage-check\"},{\"number\":2,\"timestamp\":\"2026-03-01T10:00:02Z\","
                    + "\"level\":\"info\",\"text\":\"resolved python 3.12\"}]}");
        } else if (method.equals("GET") && path.endsWith("/stations")) {
            json(x, 200, "{\"data\":[{\"station_id\":\"sta_line3\",\"pointer_version\":4,"
                    + "\"updated_at\":\"2026-03-01T10:01:00Z\"}]}");
        } else if (method.equals("GET") && path.endsWith("/runs")) {
            json(x, 200, "{\"data\":[{\"run_id\":\"run_1\",\"station_id\":\"sta_line3\",\"procedure_id\":\"prc_1\","
                    + "\"deployment_id\":\"dep_ready\",\"started_at\":\"2026-03-01T10:02:00Z\","
                    + "\"finished_at\":\"2026-03-01T10:02:04Z\",\"outcome\":\"passed\",\"duration_ms\":4000,"
                    + "\"serial_number\":\"PB-000042\",\"phases\":[]}]}");
        } else if (method.equals("GET") && path.endsWith("/contents")) {
            json(x, 200, "{\"data\":[{\"path\":\"procedure.yaml\",\"size\":120,\"sha256\":\"" + "a".repeat(64)
                    + "\"},{\"path\":\"src/checks/main.py\",\"size\":2048,\"sha256\":\"" + "b".repeat(64) + "\"}]}");
        } else if (method.equals("GET") && path.contains("/contents/")) {
            byte[] text = "print(\"rail <3.30 V>\")\n".getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().set("Content-Type", "text/x-python");
            x.sendResponseHeaders(200, text.length);
            x.getResponseBody().write(text);
        } else if (method.equals("DELETE") && path.equals("/v2/deployments/dep_pinned")) {
            problem(x, 409, "deployment-in-use", "Conflict", "deployment dep_pinned is assigned to 2 station(s)"
                    + " (sta_line3, sta_line4); pin, promote or roll back those stations to another deployment"
                    + " first", path, ",\"stations\":[\"sta_line3\",\"sta_line4\"],\"station_count\":2");
        } else if (method.equals("DELETE") && path.startsWith("/v2/deployments/")) {
            x.sendResponseHeaders(204, -1);
        } else {
            problem(x, 404, "not-found", "Not Found", "no route " + method + " " + path, path, "");
        }
    }

    private static void missingRole(HttpExchange x, String has, String needed, String action, String path)
            throws IOException {
        problem(x, 403, "missing-role", "Forbidden", action + " needs an API key with role " + needed
                + " or higher; this key is " + has, path, "");
    }

    private static void problem(HttpExchange x, int status, String kind, String title, String detail, String path,
            String extensions) throws IOException {
        x.getResponseHeaders().set("Content-Type", "application/problem+json");
        send(x, status, "{\"type\":\"https://benchline.io/problems/" + kind + "\",\"title\":\"" + title
                + "\",\"status\":" + status + ",\"detail\":\"" + detail + "\",\"instance\":\"" + path + "\""
                + extensions + "}");
    }

    private static void json(HttpExchange x, int status, String body) throws IOException {
        x.getResponseHeaders().set("Content-Type", "application/json");
        send(x, status, body);
    }

    private static void send(HttpExchange x, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(status, bytes.length);
        x.getResponseBody().write(bytes);
    }

    /** A procedure as GET /v2/procedures/{id} shows it (ProcedureResponse). */
    private static String procedure() {
        return "{\"id\":\"prc_1\",\"name\":\"voltage-check\",\"repository\":{\"provider\":\"github\","
                + "\"clone_url\":\"https://github.com/acme/voltage-check.git\",\"full_name\":\"acme/voltage-check\","
                + "\"has_credentials\":false},\"production_branch\":\"main\",\"auto_push\":true,"
                + "\"excluded_branches\":[],\"webhook\":{\"id\":\"hk_1\",\"github_url\":\"http://x/webhooks/github/hk_1\","
                + "\"gitlab_url\":\"http://x/webhooks/gitlab/hk_1\"},\"created_at\":\"2026-02-01T09:00:00Z\","
                + "\"updated_at\":\"2026-02-01T09:00:00Z\",\"paused\":null,\"reconcile\":{\"enabled\":false,"
                + "\"interval\":\"5m\",\"last_reconciled_at\":null,\"last_error\":null}}";
    }

    /** A deployment as GET /v2/deployments/{id} shows it (DeploymentResponse). */
    private static String deployment(String id, String status, String environment) {
        boolean ready = status.equals("ready");
        return "{\"id\":\"" + id + "\",\"procedure\":{\"id\":\"prc_1\",\"name\":\"voltage-check\"},"
                + "\"commit\":{\"sha\":\"3f1c2b9d8e7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e\",\"message\":\"Tune the rail"
                + " reading\\n\\nLonger body\",\"author\":\"Ada Lovelace\",\"branch\":\"feature/rail\"},"
                + "\"environment\":\"" + environment + "\",\"trigger\":\"push\",\"status\":\"" + status + "\","
                + "\"platform\":\"linux-x86_64\",\"language\":\"python\",\"runtime_version\":\"3.12\","
                + "\"started_at\":\"2026-03-01T10:00:00Z\",\"ended_at\":\"2026-03-01T10:00:05Z\","
                + "\"artifact_size_bytes\":" + (ready ? "23552" : "null") + ","
                + "\"created_at\":\"2026-03-01T09:59:58Z\",\"sequence\":7,\"source\":\"git\",\"artifact\":"
                + (ready ? "{\"digest\":\"sha256:" + "c".repeat(64) + "\",\"signature\":\"sig\",\"key_id\":\"sk_1\"}"
                        : "null")
                + ",\"promoted_from\":null,\"retry_of\":null,\"build_duration_ms\":5000,\"active_stations\":"
                + (ready ? 3 : 0) + ",\"failure_reason\":" + (ready ? "null" : "\"procedure.yaml: line 3: unknown key\"")
                + ",\"entry_point\":\"main.py\",\"reconciled\":false}";
    }
}
