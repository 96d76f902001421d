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
import java.util.concurrent.atomic.AtomicReference;

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
    /** The status of {@code dep_live}, the one deployment of procedure {@code prc_live} (LiveEventsTest changes it). */
    static final AtomicReference<String> LIVE_STATUS = new AtomicReference<>("building");
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
        if (managementRoute(x, method, path, role, body)) {
            return;
        }
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
        } else if (method.equals("GET") && path.equals("/v2/deployments")
                && x.getRequestURI().getRawQuery().contains("procedure_id=prc_live&")) {
            json(x, 200, "{\"data\":[" + deployment("dep_live", LIVE_STATUS.get(), "preview") + "],\"next_cursor\":null}");
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

    // Stations, procedure settings and history, API keys (ManagementPagesTest) ---------------------------------

    /** The bodies of the requests the management routes answer, as "METHOD path body". */
    static final List<String> BODIES = new CopyOnWriteArrayList<>();
    static final String STATION_CURSOR = "stn_line4";
    static final String TIMELINE_CURSOR = "tl_1772359200000000_pm_7";
    static final String HISTORY_CURSOR = "hst_5";

    /** The routes of the Stations, Settings, History and API keys pages; false for a request they do not answer. */
    private boolean managementRoute(HttpExchange x, String method, String path, String role, String body)
            throws IOException {
        String query = x.getRequestURI().getRawQuery();
        boolean paged = query != null && query.contains("cursor=");
        boolean admin = role.equals("admin");
        boolean member = !role.equals("viewer");
        if (!method.equals("GET")) {
            BODIES.add(method + " " + path + " " + body);
        }
        if (method.equals("GET") && path.equals("/v2/stations")) {
            json(x, 200, paged ? "{\"data\":[" + station("stn_line5", "Line 5 tester", "[]", "[]")
                    + "],\"next_cursor\":null}" : "{\"data\":[" + station("stn_line3", "Line 3 tester", LINKS, POINTERS)
                    + "],\"next_cursor\":\"" + STATION_CURSOR + "\"}");
        } else if (method.equals("GET") && path.equals("/v2/stations/stn_line3")) {
            json(x, 200, station("stn_line3", "Line 3 tester", LINKS, POINTERS));
        } else if (method.equals("GET") && path.equals("/v2/stations/stn_more")) {
            // linked to a procedure the first page of /v2/procedures does not hold
            json(x, 200, station("stn_more", "Line 9 tester", LINKS.replace("prc_1", "prc_paused"), "[]"));
        } else if (method.equals("GET") && path.equals("/v2/stations/stn_empty")) {
            json(x, 200, station("stn_empty", "Spare bench", "[]", "[]"));
        } else if (method.equals("GET") && path.matches("/v2/stations/stn_[a-z0-9]+/timeline")) {
            json(x, 200, path.contains("stn_empty") || paged ? "{\"data\":[],\"next_cursor\":null}"
                    : "{\"data\":[{\"at\":\"2026-03-01T10:05:00Z\",\"kind\":\"run_finished\",\"procedure_id\":\"prc_1\","
                    + "\"deployment_id\":\"dep_old\",\"outcome\":\"passed\",\"run_id\":\"run_7\","
                    + "\"serial_number\":\"PB-000099\"},{\"at\":\"2026-03-01T10:00:00Z\",\"kind\":\"pinned\","
                    + "\"reason\":\"pin\",\"procedure_id\":\"prc_1\",\"from_deployment_id\":\"dep_old\","
                    + "\"deployment_id\":\"dep_ready\",\"pointer_version\":5,\"by\":\"Grace\",\"note\":\"hold line 3\"}],"
                    + "\"next_cursor\":\"" + TIMELINE_CURSOR + "\"}");
        } else if (method.equals("GET") && path.matches("/v2/stations/stn_[a-z0-9]+/runs")) {
            json(x, 200, path.contains("stn_empty") ? "{\"data\":[]}"
                    : "{\"data\":[{\"id\":\"run_7\",\"station_id\":\"stn_line3\",\"procedure_id\":\"prc_1\","
                    + "\"deployment_id\":\"dep_old\",\"run_request_id\":\"rrq_1\",\"status\":\"finished\","
                    + "\"outcome\":\"passed\",\"started_at\":\"2026-03-01T10:04:00Z\","
                    + "\"finished_at\":\"2026-03-01T10:05:00Z\",\"duration_ms\":60000,"
                    + "\"serial_number\":\"PB-000099\",\"phases\":[]}]}");
        } else if (method.equals("DELETE") && path.equals("/v2/stations/stn_line3/deployments/dep_ready")) {
            if (member) {
                json(x, 200, "{\"station_id\":\"stn_line3\",\"procedure_id\":\"prc_1\",\"deployment_id\":\"dep_ready\","
                        + "\"pointer_version\":6,\"pinned\":false}");
            } else {
                missingRole(x, role, "member", "unpinning a deployment", path);
            }
        } else if (method.equals("POST") && path.equals("/v2/stations/stn_line3/run-requests")) {
            if (member) {
                json(x, 202, "{\"id\":\"rrq_2\",\"station_id\":\"stn_line3\",\"procedure_id\":\"prc_1\","
                        + "\"created_at\":\"2026-03-01T11:00:00Z\",\"claimed_at\":null,\"run_id\":null,"
                        + "\"serial_number\":null}");
            } else {
                missingRole(x, role, "member", "requesting a run", path);
            }
        } else if (method.equals("GET") && path.equals("/v2/procedures/prc_paused")) {
            json(x, 200, procedure().replace("\"id\":\"prc_1\"", "\"id\":\"prc_paused\"")
                    .replace("\"paused\":null", "\"paused\":{\"since\":\"2026-03-01T12:00:00Z\",\"by\":{\"key_id\":"
                            + "\"key_admin\",\"name\":\"Grace\"},\"reason\":\"rollback\",\"note\":\"bad rail reading\","
                            + "\"rollback_deployment_id\":\"dep_ready\"}"));
        } else if (method.equals("PATCH") && path.matches("/v2/procedures/prc_[a-z0-9]+")) {
            if (admin) {
                json(x, 200, procedure());
            } else {
                missingRole(x, role, "admin", "changing a procedure", path);
            }
        } else if (method.equals("POST") && path.matches("/v2/procedures/prc_[a-z0-9]+/webhook-secret")) {
            if (admin) {
                json(x, 200, procedure().replace("\"gitlab_url\":\"http://x/webhooks/gitlab/hk_1\"",
                        "\"gitlab_url\":\"http://x/webhooks/gitlab/hk_1\",\"secret\":\"" + NEW_HOOK_SECRET + "\""));
            } else {
                missingRole(x, role, "admin", "rotating a webhook secret", path);
            }
        } else if (method.equals("POST") && path.matches("/v2/procedures/prc_[a-z0-9]+/resume")) {
            if (admin) {
                json(x, 200, procedure());
            } else {
                missingRole(x, role, "admin", "resuming a procedure", path);
            }
        } else if (path.matches("/v2/procedures/prc_[a-z0-9]+/station-settings")
                && (method.equals("GET") || method.equals("PUT"))) {
            if (method.equals("PUT") && !admin) {
                missingRole(x, role, "admin", "changing station settings", path);
            } else {
                json(x, 200, method.equals("PUT") ? "{\"procedure_id\":\"prc_1\",\"idle_window_seconds\":45,"
                        + "\"max_deferral_seconds\":900,\"defaults\":false}"
                        : "{\"procedure_id\":\"prc_1\",\"idle_window_seconds\":30,\"max_deferral_seconds\":3600,"
                        + "\"defaults\":true}");
            }
        } else if (method.equals("GET") && path.matches("/v2/procedures/prc_[a-z0-9]+/history")) {
            json(x, 200, paged ? "{\"data\":[],\"next_cursor\":null}"
                    : "{\"data\":[{\"id\":\"hst_6\",\"at\":\"2026-03-01T12:00:00Z\",\"action\":\"rollback\","
                    + "\"procedure_id\":\"prc_1\",\"deployment_id\":\"dep_ready\",\"from_deployment_id\":\"dep_prod\","
                    + "\"actor\":{\"key_id\":\"key_admin\",\"name\":\"Grace\"},\"note\":\"bad rail reading\"}],"
                    + "\"next_cursor\":\"" + HISTORY_CURSOR + "\"}");
        } else if (method.equals("GET") && path.equals("/v2/api-keys") && admin) {
            json(x, 200, "{\"data\":[{\"id\":\"key_ci\",\"name\":\"ci runner\",\"role\":\"member\","
                    + "\"created_at\":\"2026-02-01T09:00:00Z\",\"created_by\":{\"key_id\":\"key_admin\",\"name\":"
                    + "\"admin key\"},\"revoked_at\":null},{\"id\":\"key_old\",\"name\":\"old laptop\",\"role\":"
                    + "\"viewer\",\"created_at\":\"2026-01-01T09:00:00Z\",\"created_by\":null,"
                    + "\"revoked_at\":\"2026-02-15T09:00:00Z\"}]}");
        } else if (method.equals("POST") && path.equals("/v2/api-keys")) {
            if (!admin) {
                missingRole(x, role, "admin", "creating an API key", path);
            } else if (body.contains("\"name\":\"\"")) {
                problem(x, 400, "invalid-request", "Invalid request", "name: must be 1 to 100 characters", path,
                        ",\"errors\":[{\"field\":\"name\",\"message\":\"must be 1 to 100 characters\"}]");
            } else {
                json(x, 201, "{\"id\":\"key_new\",\"name\":\"bench pc\",\"role\":\"member\",\"created_at\":"
                        + "\"2026-03-01T13:00:00Z\",\"created_by\":{\"key_id\":\"key_admin\",\"name\":\"admin key\"},"
                        + "\"secret\":\"" + NEW_SECRET + "\"}");
            }
        } else if (method.equals("DELETE") && path.startsWith("/v2/api-keys/")) {
            if (admin) {
                x.sendResponseHeaders(204, -1);
            } else {
                missingRole(x, role, "admin", "revoking an API key", path);
            }
        } else {
            return false;
        }
        return true;
    }

    static final String NEW_HOOK_SECRET = "ab".repeat(32);
    static final String NEW_SECRET = "blk_" + "9".repeat(48);
    private static final String LINKS = "[{\"procedure_id\":\"prc_1\",\"environment\":\"production\",\"branch\":null,"
            + "\"created_at\":\"2026-02-02T09:00:00Z\"}]";
    /** One pointer, pinned to dep_ready while the agent still runs dep_old and has dep_ready staged. */
    private static final String POINTERS = "[{\"station_id\":\"stn_line3\",\"procedure_id\":\"prc_1\","
            + "\"deployment_id\":\"dep_ready\",\"sequence\":7,\"pointer_version\":5,\"moved_at\":\"2026-03-01T10:00:00Z\","
            + "\"actual_deployment_id\":\"dep_old\",\"actual_reported_at\":\"2026-03-01T10:01:00Z\",\"pinned\":true,"
            + "\"pin\":{\"since\":\"2026-03-01T10:00:00Z\",\"by\":{\"key_id\":\"key_member\",\"name\":\"Grace\"}},"
            + "\"agent_state\":{\"deployment_id\":\"dep_ready\",\"state\":\"staged\",\"reason\":\"waiting for idle\","
            + "\"at\":\"2026-03-01T10:02:00Z\"},\"staged_since\":\"2026-03-01T10:02:00Z\"}]";

    /** A station as GET /v2/stations/{id} shows it (StationResponse). */
    private static String station(String id, String name, String links, String pointers) {
        return "{\"id\":\"" + id + "\",\"name\":\"" + name + "\",\"development\":false,"
                + "\"created_at\":\"2026-02-02T08:00:00Z\",\"last_seen_at\":\"2026-03-01T10:03:00Z\",\"links\":" + links
                + ",\"pointers\":" + pointers + "}";
    }

    // End of the management routes ------------------------------------------------------------------------------

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
