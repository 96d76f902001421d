package io.benchline.bench;

import com.fasterxml.jackson.databind.JsonNode;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;

/**
 * The big deployments table parts 5 and 9 read: one procedure of the stack's organization with {@code rows}
 * deployments ({@code ready}, production), inserted by one {@code generate_series} insert and analyzed. Row
 * {@code g} (1..rows) has the id {@link #id(long) dep_0000bench + g padded to 17 digits}, so ids sort as g does and
 * the newest row is g = rows. {@link BenchStack#deploymentRows} seeds it once per run, for whichever part asks first.
 */
record DeploymentRows(String procedureId, String procedureName, String orgId, int rows, double seedSeconds) {
    static final String PROCEDURE_NAME = "bench-list";

    /** The id of row {@code g}; {@code id(rows)} is the newest. */
    static String id(long g) {
        return String.format(Locale.ROOT, "dep_0000bench%017d", g);
    }

    /** The id {@code depth} rows below the newest (depth 0: the newest), as the API lists them, newest first. */
    String idAtDepth(long depth) {
        return id(rows - depth);
    }

    /** "one generate_series insert of 1,000,000 rows took 41.2 s (+ analyze)", for a part's setup note. */
    String setupNote() {
        return String.format(Locale.ROOT, "one generate_series insert of %,d rows into benchline_deployments took %.1f s"
                + " (+ analyze), done once per run for parts 5 and 9", rows, seedSeconds);
    }

    static DeploymentRows seed(BenchStack stack, int rows) throws Exception {
        JsonNode p = stack.api("POST", "/v2/procedures", Map.of("name", PROCEDURE_NAME,
                "repository", Map.of("provider", "github", "clone_url", "https://github.com/benchline-bench/list.git"),
                "production_branch", "main", "auto_push", false));
        String procedureId = p.path("id").asText();
        String orgId = stack.orgId();
        BenchMain.progress(String.format(Locale.ROOT, "deployments: inserting %,d rows", rows));
        long t0 = System.nanoTime();
        try (Connection c = stack.jdbc("benchline_deployments")) {
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
        }
        return new DeploymentRows(procedureId, PROCEDURE_NAME, orgId, rows, (System.nanoTime() - t0) / 1e9);
    }
}
