package io.benchline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.MultiMap;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v2/deployments?limit=20} with a million deployments in one organization: the first page and
 * pages deep behind a cursor, directly against deployment-service and through the gateway. Baseline: the
 * page's query (the organization's rows older than the cursor, newest first, 21 rows) over JDBC.
 */
final class DeploymentListBench {
    private DeploymentListBench() {
    }

    static void run(BenchStack stack, BenchOptions o, Report report) throws Exception {
        int rows = o.deploymentRows;
        String section = String.format(java.util.Locale.ROOT, "5. GET /v2/deployments?limit=20, %,d rows in one org", rows);
        JsonNode p = stack.api("POST", "/v2/procedures", Map.of("name", "bench-list",
                "repository", Map.of("provider", "github", "clone_url", "https://github.com/benchline-bench/list.git"),
                "production_branch", "main", "auto_push", false));
        String procedureId = p.path("id").asText();
        String orgId = stack.orgId();
        Map<String, String> cursors = new LinkedHashMap<>();
        try (Connection c = stack.jdbc("benchline_deployments")) {
            BenchMain.progress(String.format(java.util.Locale.ROOT, "deployments: inserting %,d rows", rows));
            long t0 = System.nanoTime();
            try (PreparedStatement s = c.prepareStatement("""
                    insert into deployments (id, org_id, procedure_id, sequence, delivery_id, commit_sha, commit_message,
                        commit_author, branch, environment, trigger, status, source, platform, language, runtime_version,
                        entry_point, started_at, ended_at, build_duration_ms, artifact_digest, artifact_size_bytes,
                        artifact_signature, artifact_key_id, created_at, updated_at)
                    select 'dep_0000bench' || lpad(g::text, 17, '0'), ?, ?, g, 'bench-' || g,
                        md5(g::text) || substr(md5((g + 1)::text), 1, 8), 'Bench commit ' || g, 'Bench <bench@benchline.local>',
                        'main', 'production', 'auto', 'ready', 'git', 'any', 'python', '3.11', 'main.py',
                        now() - (? - g) * interval '1 second', now() - (? - g) * interval '1 second' + interval '80 ms', 80,
                        'sha256:' || md5(g::text) || md5((g + 7)::text), 1234, 'c2lnbmF0dXJl', 'ed25519-0000000000000000',
                        now() - (? - g) * interval '1 second', now()
                    from generate_series(1, ?) g
                    """)) {
                s.setString(1, orgId);
                s.setString(2, procedureId);
                s.setInt(3, rows);
                s.setInt(4, rows);
                s.setInt(5, rows);
                s.setInt(6, rows);
                s.executeUpdate();
            }
            try (Statement s = c.createStatement()) {
                s.execute("update procedures set next_sequence = " + (rows + 1) + " where id = '" + procedureId + "'");
                s.execute("analyze deployments");
            }
            report.note(String.format(java.util.Locale.ROOT, "5: setup: one generate_series insert of %,d rows took %.1f s (+ analyze)",
                    rows, (System.nanoTime() - t0) / 1e9));
            cursors.put("first page", null);
            for (int depth : new int[] {rows / 100, rows / 2, rows - 1_000}) {
                if (depth <= 0) {
                    continue;
                }
                try (PreparedStatement s = c.prepareStatement(
                        "select id from deployments where org_id = ? order by id desc offset ? limit 1")) {
                    s.setString(1, orgId);
                    s.setInt(2, depth);
                    ResultSet rs = s.executeQuery();
                    rs.next();
                    cursors.put(String.format(java.util.Locale.ROOT, "cursor page at row %,d", depth), rs.getString(1));
                }
            }
            MultiMap auth = MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + stack.apiKey());
            int direct = stack.port("deployment-service");
            int gateway = stack.gatewayPort();
            try (HttpLoad load = new HttpLoad(4)) {
                checkPage(stack, cursors, report);
                for (Map.Entry<String, String> page : cursors.entrySet()) {
                    String uri = "/v2/deployments?limit=20" + (page.getValue() == null ? "" : "&cursor=" + page.getValue());
                    BenchMain.progress("deployments: " + page.getKey() + ", " + o.pageSamples + " requests per path");
                    Latencies sql = rawQuery(c, orgId, page.getValue(), o.pageSamples);
                    load.sequential(() -> HttpLoad.Request.get(direct, uri, auth), s -> s == 200, 20); // warm-up
                    HttpLoad.Result d = load.sequential(() -> HttpLoad.Request.get(direct, uri, auth), s -> s == 200,
                            o.pageSamples);
                    HttpLoad.Result g = load.sequential(() -> HttpLoad.Request.get(gateway, uri, auth), s -> s == 200,
                            o.pageSamples);
                    report.row(section, page.getKey() + ": direct, p50 / p99", d.latencies().p50p99(), sql.p50p99(),
                            d.latencies().p99() / sql.p99(), "p99 < 20 ms");
                    report.row(section, "  via gateway, p50 / p99", g.latencies().p50p99(), sql.p50p99(),
                            g.latencies().p99() / sql.p99(), "p99 < 20 ms");
                    for (HttpLoad.Result r : List.of(d, g)) {
                        if (!r.problems().isEmpty()) {
                            report.note("5 " + page.getKey() + ": " + r.problems());
                        }
                    }
                }
            }
        }
        report.note("5: baseline = the page query over JDBC (select * from deployments where org_id = ? [and id < cursor]"
                + " order by id desc limit 21), same number of samples, one at a time; ratio on p99.");
    }

    /** The API's page is what the bench thinks it measures: 20 rows, a next cursor. */
    private static void checkPage(BenchStack stack, Map<String, String> cursors, Report report) throws Exception {
        for (Map.Entry<String, String> page : cursors.entrySet()) {
            JsonNode body = stack.api("GET", "/v2/deployments?limit=20"
                    + (page.getValue() == null ? "" : "&cursor=" + page.getValue()), null);
            if (body.path("data").size() != 20 || body.path("next_cursor").isNull()) {
                report.note("5: " + page.getKey() + " answered " + body.path("data").size() + " rows, next_cursor "
                        + body.path("next_cursor"));
            }
        }
    }

    private static Latencies rawQuery(Connection c, String orgId, String cursor, int samples) throws Exception {
        String sql = "select * from deployments where org_id = ?" + (cursor == null ? "" : " and id < ?")
                + " order by id desc limit 21";
        Latencies latencies = new Latencies();
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = -20; i < samples; i++) {
                long t0 = System.nanoTime();
                s.setString(1, orgId);
                if (cursor != null) {
                    s.setString(2, cursor);
                }
                List<String> ids = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString("id"));
                    }
                }
                if (i >= 0) {
                    latencies.recordNanos(System.nanoTime() - t0);
                }
            }
        }
        return latencies;
    }
}
