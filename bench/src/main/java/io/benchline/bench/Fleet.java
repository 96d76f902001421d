package io.benchline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.events.EventIds;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A simulated fleet in station-dispatcher's database, as the fan-out and rollout parts set it up: N stations with
 * known agent tokens ({@code agent_token_hash} = SHA-256 hex, as {@code AgentService} checks it), each linked for
 * production to one fresh procedure and pointing at its first deployment, inserted set-based (generate_series) in
 * one transaction. Station i is {@code stn_<tag><i, 20 digits>}, its agent token {@code bench-agent-<tag>-<i>}.
 */
final class Fleet {
    /** A real artifact in artifact-store, so the agents' assignments carry a real digest and download URL. */
    record Artifact(String digest, long size, String signature, String keyId) {
    }

    final int size;
    final String tag;
    final String orgId;
    final String procedureId;
    final double setupSeconds;

    private Fleet(int size, String tag, String orgId, String procedureId, double setupSeconds) {
        this.size = size;
        this.tag = tag;
        this.orgId = orgId;
        this.procedureId = procedureId;
        this.setupSeconds = setupSeconds;
    }

    /** N stations, links and pointers to {@code firstDeployment} (inserted too, sequence 1), then analyze. */
    static Fleet insert(BenchStack stack, int n, String orgId, String firstDeployment, Artifact a) throws Exception {
        String tag = randomTag();
        String procedureId = EventIds.withPrefix("prc");
        long t0 = System.nanoTime();
        try (Connection c = stack.jdbc("benchline_dispatcher")) {
            c.setAutoCommit(false);
            insertDeployment(c, firstDeployment, orgId, procedureId, 1, a);
            String station = "'stn_' || ? || lpad(g::text, 20, '0')";
            try (PreparedStatement s = c.prepareStatement("insert into stations (id, org_id, name, agent_token_hash,"
                    + " created_at) select " + station + ", ?, 'bench-' || ? || '-' || g,"
                    + " encode(sha256(convert_to('bench-agent-' || ? || '-' || g, 'UTF8')), 'hex'), now()"
                    + " from generate_series(1, ?) g")) {
                s.setString(1, tag);
                s.setString(2, orgId);
                s.setString(3, tag);
                s.setString(4, tag);
                s.setInt(5, n);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("insert into links (station_id, procedure_id, environment,"
                    + " branch, created_at) select " + station + ", ?, 'production', null, now()"
                    + " from generate_series(1, ?) g")) {
                s.setString(1, tag);
                s.setString(2, procedureId);
                s.setInt(3, n);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("insert into pointers (station_id, procedure_id, deployment_id,"
                    + " sequence, pointer_version, moved_at) select " + station + ", ?, ?, 1, 1, now()"
                    + " from generate_series(1, ?) g")) {
                s.setString(1, tag);
                s.setString(2, procedureId);
                s.setString(3, firstDeployment);
                s.setInt(4, n);
                s.executeUpdate();
            }
            c.commit();
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("analyze stations");
                s.execute("analyze links");
                s.execute("analyze pointers");
            }
        }
        return new Fleet(n, tag, orgId, procedureId, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * A ready production deployment of the procedure in station-dispatcher's projection (its {@code deployments}
     * table), as if its ready event had been handled with auto-push off: nothing fans it out by itself.
     */
    void addDeployment(BenchStack stack, String id, int sequence, Artifact a) throws Exception {
        try (Connection c = stack.jdbc("benchline_dispatcher")) {
            insertDeployment(c, id, orgId, procedureId, sequence, a);
        }
    }

    private static void insertDeployment(Connection c, String id, String orgId, String procedureId, int sequence,
            Artifact a) throws Exception {
        try (PreparedStatement s = c.prepareStatement("""
                insert into deployments (id, org_id, procedure_id, sequence, environment, branch, status, artifact_digest,
                    artifact_size_bytes, artifact_signature, artifact_key_id, deleted, updated_at)
                values (?, ?, ?, ?, 'production', 'main', 'ready', ?, ?, ?, ?, false, now())
                """)) {
            s.setString(1, id);
            s.setString(2, orgId);
            s.setString(3, procedureId);
            s.setInt(4, sequence);
            s.setString(5, a.digest());
            s.setLong(6, a.size());
            s.setString(7, a.signature());
            s.setString(8, a.keyId());
            s.executeUpdate();
        }
    }

    /** Station i (1-based). */
    String stationId(int i) {
        return stationId(tag, i);
    }

    static String stationId(String tag, int i) {
        return "stn_" + tag + String.format(Locale.ROOT, "%020d", i);
    }

    static String token(String tag, int i) {
        return "bench-agent-" + tag + "-" + i;
    }

    /** The agent tokens of stations 1..count. */
    List<String> tokens(int count) {
        List<String> tokens = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            tokens.add(token(tag, i));
        }
        return tokens;
    }

    /** A small real artifact uploaded to artifact-store (internal API), once per part. */
    static Artifact uploadArtifact(BenchStack stack) throws Exception {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            out.putNextEntry(new ZipEntry("manifest.json"));
            out.write("{\"schema_version\":1}".getBytes(StandardCharsets.UTF_8));
            out.putNextEntry(new ZipEntry("main.py"));
            out.write("print('bench')\n".getBytes(StandardCharsets.UTF_8));
        }
        HttpResponse<byte[]> response = stack.send(HttpRequest.newBuilder(
                        URI.create(stack.stack().serviceUrl("artifact-store")
                                + "/internal/v1/artifacts?organization_id=org_bench&procedure_id=prc_bench"))
                .header("X-Benchline-Internal-Token", stack.stack().internalToken())
                .header("Content-Type", "application/zip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(zip.toByteArray())).build());
        if (response.statusCode() != 201 && response.statusCode() != 200) {
            throw new IllegalStateException("artifact upload answered " + response.statusCode() + ": "
                    + new String(response.body(), StandardCharsets.UTF_8));
        }
        JsonNode a = BenchStack.JSON.readTree(response.body());
        return new Artifact(a.path("digest").asText(), a.path("size_bytes").asLong(), a.path("signature").asText(),
                a.path("key_id").asText());
    }

    static String randomTag() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom random = new SecureRandom();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }
}
