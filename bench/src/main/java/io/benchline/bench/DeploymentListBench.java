package io.benchline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.MultiMap;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
        DeploymentRows seeded = stack.deploymentRows(rows);
        String orgId = seeded.orgId();
        report.note("5: setup: " + seeded.setupNote());
        Map<String, String> cursors = new LinkedHashMap<>();
        try (Connection c = stack.jdbc("benchline_deployments")) {
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
