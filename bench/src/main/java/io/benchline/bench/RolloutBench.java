package io.benchline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.events.EventIds;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Rollout stages: a fleet of N stations on deployment 1 (the fan-out part's setup, {@link Fleet}); a rollout of
 * deployment 2 with stages advanced by hand ({@code POST /v2/rollouts}, then {@code POST /v2/rollouts/{id}/advance}),
 * each stage timed from its request to the last of its pointers naming deployment 2 in PostgreSQL (a count polled
 * every few milliseconds), and to the last of its connected simulated agents told. Then a second rollout, of
 * deployment 3, whose first stage is aborted: timed from the abort request to every moved pointer back on
 * deployment 2, and to every moved agent told. Baseline: one raw UPDATE of as many rows as the stage moves, in a
 * scratch table of N rows in the same database.
 */
final class RolloutBench {
    private static final String SECTION = "8. rollout stages (request → stations)";
    /** station-dispatcher's AgentWakeups.CHANNEL: notified with the moved stations as each chunk commits. */
    private static final String WAKEUP_CHANNEL = "benchline_agents";
    private static final int FALLBACK_MS = 100;

    private final BenchStack stack;
    private final BenchOptions o;
    private final Report report;
    private final Fleet fleet;
    private final int agentCount;
    private final Map<Integer, Double> baselines = new HashMap<>();

    private RolloutBench(BenchStack stack, BenchOptions o, Report report, Fleet fleet, int agentCount) {
        this.stack = stack;
        this.o = o;
        this.report = report;
        this.fleet = fleet;
        this.agentCount = agentCount;
    }

    static void run(BenchStack stack, BenchOptions o, Report report) throws Exception {
        int n = o.rollout;
        List<Map<String, Object>> stages = stages(o.rolloutStages);
        Fleet.Artifact artifact = Fleet.uploadArtifact(stack);
        String first = EventIds.withPrefix("dep");
        String second = EventIds.withPrefix("dep");
        String third = EventIds.withPrefix("dep");
        BenchMain.progress(String.format(Locale.ROOT, "rollout N=%,d: inserting stations, links, pointers", n));
        Fleet fleet = Fleet.insert(stack, n, stack.orgId(), first, artifact);
        fleet.addDeployment(stack, second, 2, artifact);
        fleet.addDeployment(stack, third, 3, artifact);
        RolloutBench bench = new RolloutBench(stack, o, report, fleet, Math.min(n, o.agents));
        // The API key's first use makes the dispatcher introspect it; later calls find it cached.
        bench.call("GET", "/v2/rollouts?procedure_id=" + fleet.procedureId, null);
        bench.stages(second, stages);
        // The abort: a rollout of deployment 3 over the stations now on deployment 2, its first stage moving what
        // the stages' second-to-last target reaches, then aborted.
        List<Map<String, Object>> abortStages = stages.size() < 2 ? stages
                : List.of(stages.get(stages.size() - 2), stages.get(stages.size() - 1));
        bench.abort(third, second, abortStages);
        report.note(String.format(Locale.ROOT, "8: setup: set-based inserts of %,d stations, links and pointers to"
                + " deployment 1 (as part 1) took %.1f s; deployments 2 and 3 inserted ready (production) in"
                + " station-dispatcher's projection, so nothing fans them out by themselves. Requests go straight to"
                + " station-dispatcher (port %d, not through the gateway) with the stack's API key; \"moved\" is when"
                + " the bench received the notification (LISTEN " + WAKEUP_CHANNEL + ", which each chunk sends as it"
                + " commits) after which one count(*) of the procedure's pointers on the deployment reached the"
                + " stage's whole target (counted again on every notification, at least every %d ms); agents as in"
                + " part 1 (told = a long-poll answer"
                + " naming the deployment). Baseline = one UPDATE of as many rows as the stage moves (the first ones by"
                + " id) in a freshly vacuumed scratch table of %,d rows in benchline_dispatcher.", n, fleet.setupSeconds,
                stack.port("station-dispatcher"), FALLBACK_MS, n));
    }

    /** The rollout of {@code deployment} with every stage advanced by hand, each timed. */
    private void stages(String deployment, List<Map<String, Object>> stages) throws Exception {
        String label = String.format(Locale.ROOT, "rollout N=%,d", fleet.size);
        try (SimulatedAgents agents = new SimulatedAgents(stack.port("station-dispatcher"), fleet.tokens(agentCount),
                deployment); Connection db = stack.jdbc("benchline_dispatcher")) {
            SimulatedAgents.Mode mode = connect(agents, label);
            listen(db);
            String rolloutId = null;
            int previous = 0;
            List<Integer> targets = new ArrayList<>();
            for (int i = 0; i < stages.size(); i++) {
                drain(db);
                long sent = System.nanoTime();
                Answer answer = i == 0
                        ? call("POST", "/v2/rollouts", Map.of("deployment_id", deployment, "stages", stages))
                        : call("POST", "/v2/rollouts/" + rolloutId + "/advance", Map.of());
                if (i == 0) {
                    rolloutId = answer.body.path("id").asText();
                    for (JsonNode s : answer.body.path("stages")) {
                        targets.add(s.path("target").asInt());
                    }
                }
                int target = targets.get(i);
                String what = String.format(Locale.ROOT, "stage %d of %d (%s, %,d → %,d stations): %s → all moved",
                        i + 1, stages.size(), describe(stages.get(i)), previous, target,
                        i == 0 ? "create" : "advance");
                BenchMain.progress(label + ": " + what);
                Stage stage = await(db, agents, sent, deployment, target, expectedTold(db, rolloutId, target), label);
                double baseline = baseline(target - previous);
                row(what, stage.movedSeconds, stage.moved, target, baseline);
                if (agentCount > 0) {
                    toldRow(stage, mode, baseline);
                }
                report.note(String.format(Locale.ROOT, "8 %s stage %d: request answered %d in %.0f ms; %s",
                        label, i + 1, answer.status, answer.millis, jobs(db, rolloutId, deployment)));
                previous = target;
            }
            agentNote(agents, mode, label);
        }
    }

    /** A rollout of {@code deployment} (from {@code back}), its first stage moved, then aborted; each timed. */
    private void abort(String deployment, String back, List<Map<String, Object>> stages) throws Exception {
        String label = String.format(Locale.ROOT, "abort N=%,d", fleet.size);
        // The agents wait to be told of the deployment they go back to.
        try (SimulatedAgents agents = new SimulatedAgents(stack.port("station-dispatcher"), fleet.tokens(agentCount),
                back); Connection db = stack.jdbc("benchline_dispatcher")) {
            SimulatedAgents.Mode mode = connect(agents, label);
            listen(db);
            drain(db);
            long sent = System.nanoTime();
            Answer created = call("POST", "/v2/rollouts", Map.of("deployment_id", deployment, "stages", stages));
            String rolloutId = created.body.path("id").asText();
            int target = created.body.path("stages").path(0).path("target").asInt();
            String what = String.format(Locale.ROOT, "then a rollout of the next deployment, stage 1 (%s, 0 → %,d):"
                    + " create → all moved", describe(stages.get(0)), target);
            BenchMain.progress(label + ": " + what);
            Stage forward = await(db, null, sent, deployment, target, 0, label);
            double baseline = baseline(target);
            row(what, forward.movedSeconds, forward.moved, target, baseline);
            // Let the agents whose stations moved take their new assignment and hold their long-poll again.
            Thread.sleep(3_000);
            int expected = expectedTold(db, rolloutId, target);
            BenchMain.progress(label + ": aborting the rollout, waiting for the stations to be back");
            drain(db);
            long aborted = System.nanoTime();
            Answer answer = call("POST", "/v2/rollouts/" + rolloutId + "/abort", Map.of("note", "bench"));
            Stage back2 = awaitBack(db, agents, aborted, deployment, target, expected, label);
            String abortWhat = String.format(Locale.ROOT, "  abort → all %,d moved pointers back", target);
            if (back2.moved >= target) {
                report.row(SECTION, abortWhat, Report.seconds(back2.movedSeconds), baselineText(baseline),
                        back2.movedSeconds / baseline, "≤ 1 s");
            } else {
                report.row(SECTION, abortWhat, String.format(Locale.ROOT, "timed out after %d s (%,d of %,d back)",
                        o.rolloutTimeout, back2.moved, target), baselineText(baseline), Double.NaN, "≤ 1 s");
            }
            if (agentCount > 0) {
                toldRow(back2, mode, baseline);
            }
            report.note(String.format(Locale.ROOT, "8 %s: create answered %d in %.0f ms, abort answered %d in %.0f ms;"
                            + " %s", label, created.status, created.millis, answer.status, answer.millis,
                    jobs(db, rolloutId, null)));
            agentNote(agents, mode, label);
        }
    }

    private record Stage(double movedSeconds, int moved, double toldSeconds, int told, int expectedTold) {
    }

    /** Polls until {@code target} pointers name {@code deployment} and the expected agents were told, or timeout. */
    private Stage await(Connection db, SimulatedAgents agents, long sent, String deployment, int target,
            int expectedTold, String label) throws Exception {
        return poll(db, agents, sent, deployment, count -> count >= target, target, expectedTold, label, false);
    }

    /** Polls until no pointer names {@code deployment} any more (every moved one went back). */
    private Stage awaitBack(Connection db, SimulatedAgents agents, long sent, String deployment, int moved,
            int expectedTold, String label) throws Exception {
        return poll(db, agents, sent, deployment, count -> count == 0, moved, expectedTold, label, true);
    }

    private Stage poll(Connection db, SimulatedAgents agents, long sent, String deployment,
            java.util.function.IntPredicate done, int target, int expectedTold, String label, boolean back)
            throws Exception {
        long deadline = sent + Duration.ofSeconds(o.rolloutTimeout).toNanos();
        long nextProgress = System.nanoTime() + 10_000_000_000L;
        double movedSeconds = Double.NaN;
        int count = back ? target : 0;
        PGConnection listener = db.unwrap(PGConnection.class);
        try (PreparedStatement s = db.prepareStatement(
                "select count(*) from pointers where procedure_id = ? and deployment_id = ?")) {
            s.setString(1, fleet.procedureId);
            s.setString(2, deployment);
            while (System.nanoTime() < deadline) {
                int told = agents == null ? 0 : agents.told();
                if (Double.isNaN(movedSeconds)) {
                    // Woken by the agents' channel, which every chunk notifies as it commits; counted again then
                    // (and every FALLBACK_MS in case a notification was missed).
                    listener.getNotifications(FALLBACK_MS);
                    long at = System.nanoTime();
                    try (ResultSet rs = s.executeQuery()) {
                        rs.next();
                        count = rs.getInt(1);
                    }
                    if (done.test(count)) {
                        movedSeconds = (at - sent) / 1e9;
                    }
                } else if (told >= expectedTold) {
                    break;
                } else {
                    Thread.sleep(5);
                }
                if (System.nanoTime() > nextProgress) {
                    nextProgress += 10_000_000_000L;
                    BenchMain.progress(String.format(Locale.ROOT, "%s: %,d pointers on %s (target %s%,d), %,d of %,d"
                            + " agents told", label, count, deployment, back ? "0, from " : "", target, told,
                            expectedTold));
                }
            }
        }
        int moved = back ? target - count : count;
        int told = agents == null ? 0 : agents.told();
        double toldSeconds = agents != null && told >= expectedTold && expectedTold > 0
                ? (agents.lastToldNanos() - sent) / 1e9 : Double.NaN;
        return new Stage(movedSeconds, moved, toldSeconds, told, expectedTold);
    }

    /** LISTEN on the channel station-dispatcher notifies when a chunk's moves commit (AgentWakeups.CHANNEL). */
    private static void listen(Connection db) throws Exception {
        try (java.sql.Statement s = db.createStatement()) {
            s.execute("listen " + WAKEUP_CHANNEL);
        }
    }

    /** Drops the notifications of what came before, so the next wait starts clean. */
    private static void drain(Connection db) throws Exception {
        PGConnection pg = db.unwrap(PGConnection.class);
        while (true) {
            PGNotification[] n = pg.getNotifications(1);
            if (n == null || n.length == 0) {
                return;
            }
        }
    }

    private void row(String what, double seconds, int moved, int target, double baseline) {
        if (!Double.isNaN(seconds)) {
            report.row(SECTION, what, Report.seconds(seconds), baselineText(baseline), seconds / baseline, "≤ 1 s");
        } else {
            report.row(SECTION, what, String.format(Locale.ROOT, "timed out after %d s (%,d of %,d moved)",
                    o.rolloutTimeout, moved, target), baselineText(baseline), Double.NaN, "≤ 1 s");
        }
    }

    private void toldRow(Stage stage, SimulatedAgents.Mode mode, double baseline) {
        String what = String.format(Locale.ROOT, "  → last of its %,d connected agents told (%s)", stage.expectedTold,
                mode == SimulatedAgents.Mode.LONG_POLL ? "long-poll" : "POLLING fallback");
        if (stage.expectedTold == 0) {
            report.row(SECTION, what, "none of its stations has an agent", "-", Double.NaN, "≤ 1 s");
        } else if (!Double.isNaN(stage.toldSeconds)) {
            report.row(SECTION, what, Report.seconds(stage.toldSeconds), baselineText(baseline),
                    stage.toldSeconds / baseline, "≤ 1 s");
        } else {
            report.row(SECTION, what, String.format(Locale.ROOT, "timed out after %d s (%,d of %,d told)",
                    o.rolloutTimeout, stage.told, stage.expectedTold), baselineText(baseline), Double.NaN, "≤ 1 s");
        }
    }

    private static String baselineText(double seconds) {
        return Report.seconds(seconds) + " (UPDATE)";
    }

    /** The raw UPDATE of {@code rows} of the fleet's size, measured once per row count. */
    private double baseline(int rows) throws Exception {
        Double known = baselines.get(rows);
        if (known == null) {
            known = RawPostgres.updateRows(stack, fleet.size, rows);
            baselines.put(rows, known);
        }
        return known;
    }

    /** The agents connect and hold their long-poll, as in part 1; returns the mode. */
    private SimulatedAgents.Mode connect(SimulatedAgents agents, String label) throws Exception {
        if (agentCount == 0) {
            return SimulatedAgents.Mode.NONE;
        }
        BenchMain.progress(label + ": connecting " + agentCount + " agents to station-dispatcher");
        long c0 = System.nanoTime();
        SimulatedAgents.Mode mode = agents.connect();
        double connectSeconds = (System.nanoTime() - c0) / 1e9;
        int joinRate = (int) Math.max(50, Math.min(1000, 0.4 * agentCount / Math.max(0.001, connectSeconds)));
        if (mode == SimulatedAgents.Mode.LONG_POLL) {
            BenchMain.progress(label + ": agents joining the long-poll at " + joinRate + "/s");
            agents.hold(joinRate);
            Thread.sleep(5_000);
        } else {
            agents.poll();
        }
        report.note(String.format(Locale.ROOT, "8 %s: %,d agents connected directly to station-dispatcher, first"
                        + " un-etagged GETs took %.1f s; mode %s", label, agentCount, connectSeconds,
                mode == SimulatedAgents.Mode.LONG_POLL ? "long-poll (If-None-Match + wait=" + SimulatedAgents.WAIT_SECONDS
                        + ", joining at " + joinRate + "/s, then 5 s before the first request)"
                        : "POLLING fallback (64 requests in flight)"));
        return mode;
    }

    private void agentNote(SimulatedAgents agents, SimulatedAgents.Mode mode, String label) {
        if (agents.errors() > 0) {
            report.note(String.format(Locale.ROOT, "8 %s: %,d agent request errors, first: %s", label, agents.errors(),
                    agents.firstError()));
        }
    }

    /** How many of the stations ranked below {@code target} have a connected agent (stations 1..agentCount). */
    private int expectedTold(Connection db, String rolloutId, int target) throws Exception {
        if (agentCount == 0) {
            return 0;
        }
        try (PreparedStatement s = db.prepareStatement("select count(*) from rollout_stations where rollout_id = ?"
                + " and rank < ? and station_id <= ?")) {
            s.setString(1, rolloutId);
            s.setInt(2, target);
            s.setString(3, fleet.stationId(agentCount));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** The rollout's fan-out jobs as station-dispatcher recorded them: moved, and created → finished in the database. */
    private static String jobs(Connection db, String rolloutId, String deployment) {
        try (PreparedStatement s = db.prepareStatement("select reason, rollout_max_rank, moved,"
                + " extract(epoch from (finished_at - created_at)) * 1000 from fanout_jobs where rollout_id = ?"
                + " order by created_at desc, id desc")) {
            s.setString(1, rolloutId);
            StringBuilder b = new StringBuilder();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    if (deployment != null && b.length() > 0) {
                        break; // the stage's own job only: the newest
                    }
                    b.append(b.length() == 0 ? "fanout_jobs: " : "; ").append(String.format(Locale.ROOT,
                            "%s (rank < %d) moved %,d, created → finished %s", rs.getString(1), rs.getInt(2),
                            rs.getLong(3), rs.getObject(4) == null ? "not finished"
                                    : String.format(Locale.ROOT, "%.0f ms", rs.getDouble(4))));
                }
            }
            return b.length() == 0 ? "fanout_jobs holds no job of the rollout" : b.toString();
        } catch (Exception e) {
            return "fanout_jobs unreadable: " + e.getMessage();
        }
    }

    private record Answer(int status, JsonNode body, double millis) {
    }

    /** A REST call straight to station-dispatcher with the stack's API key; fails unless 2xx. */
    private Answer call(String method, String path, Object body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(stack.stack().serviceUrl("station-dispatcher") + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + stack.apiKey())
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(BenchStack.JSON.writeValueAsBytes(body)))
                .build();
        long t0 = System.nanoTime();
        HttpResponse<byte[]> response = stack.send(request);
        double millis = (System.nanoTime() - t0) / 1e6;
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                    + new String(response.body(), StandardCharsets.UTF_8));
        }
        return new Answer(response.statusCode(), response.body().length == 0 ? BenchStack.JSON.nullNode()
                : BenchStack.JSON.readTree(response.body()), millis);
    }

    /** {@code 1%,10%,500,100%}: a percent, or a station count. */
    static List<Map<String, Object>> stages(List<String> given) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String g : given) {
            String t = g.strip();
            Map<String, Object> stage = new LinkedHashMap<>();
            if (t.endsWith("%")) {
                stage.put("percent", new java.math.BigDecimal(t.substring(0, t.length() - 1)));
            } else {
                stage.put("stations", Integer.parseInt(t));
            }
            out.add(stage);
        }
        return out;
    }

    private static String describe(Map<String, Object> stage) {
        return stage.containsKey("percent") ? ((java.math.BigDecimal) stage.get("percent")).toPlainString() + "%"
                : stage.get("stations") + " stations";
    }
}
