package io.benchline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.stack.GitPush;
import io.benchline.stack.StackLayout;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * Signed GitHub pushes into webhook-service, through the gateway and directly: at a fixed offered rate
 * (open loop) and at the maximum rate (closed loop). Baseline: the same service's cheapest answer on the same
 * path, {@code GET /webhooks/github/{hook}} (405 from the framework, no database, no signature check),
 * through the same gateway and directly.
 *
 * <p>The pushes are a real GitHub push payload sent byte for byte, signed with the hook's secret, each with its
 * own {@code X-GitHub-Delivery}. The hook belongs to a procedure whose repository matches no repository in the
 * payload, so every push is accepted (202, stored, relayed to deployment.requested) but builds nothing.
 */
final class WebhookBench {
    /** How long the intake backlog may take to drain before the next part starts anyway. */
    static final int DRAIN_SECONDS = 60;
    static final String INTAKE_REPO = "https://github.com/benchline-bench/intake.git";

    private WebhookBench() {
    }

    record Hook(String procedureId, String hookId, String secret) {
    }

    /** The procedure the webhook and gateway parts use (created once per run). */
    static Hook intakeProcedure(BenchStack stack) throws Exception {
        JsonNode p = stack.api("POST", "/v2/procedures", Map.of("name", "bench-intake",
                "repository", Map.of("provider", "github", "clone_url", INTAKE_REPO,
                        "full_name", "benchline-bench/intake"),
                "production_branch", "main", "auto_push", true));
        return new Hook(p.path("id").asText(), p.path("webhook").path("id").asText(),
                p.path("webhook").path("secret").asText());
    }

    static byte[] payload(BenchOptions o) throws Exception {
        Path fixture = o.webhookFixture != null ? o.webhookFixture
                : StackLayout.detect().root().resolve("../shared/fixtures/webhooks/github/goscm-push.json").normalize();
        if (!Files.exists(fixture)) {
            throw new IllegalStateException("webhook fixture " + fixture + " is missing; pass --webhook-fixture FILE");
        }
        byte[] bytes = Files.readAllBytes(fixture);
        String full = BenchStack.JSON.readTree(bytes).path("repository").path("full_name").asText();
        if (full.equalsIgnoreCase("benchline-bench/intake")) {
            throw new IllegalStateException("the fixture's repository must not be the intake procedure's");
        }
        return bytes;
    }

    static void run(BenchStack stack, BenchOptions o, Report report, Hook hook) throws Exception {
        byte[] body = payload(o);
        Path fixture = o.webhookFixture != null ? o.webhookFixture : Path.of("goscm-push.json");
        Buffer buffer = Buffer.buffer(body);
        String signature = "sha256=" + GitPush.hmacSha256(hook.secret(), body);
        String path = "/webhooks/github/" + hook.hookId();
        int gateway = stack.gatewayPort();
        int direct = stack.port("webhook-service");
        IntPredicate accepted = s -> s == 202;
        IntPredicate answered = s -> s < 500;

        try (HttpLoad load = new HttpLoad(256)) {
            Supplier<HttpLoad.Request> directPush = () -> push(direct, path, signature, buffer);
            Supplier<HttpLoad.Request> gatewayPush = () -> push(gateway, path, signature, buffer);
            Supplier<HttpLoad.Request> directBare = () -> HttpLoad.Request.get(direct, path, MultiMap.caseInsensitiveMultiMap());
            Supplier<HttpLoad.Request> gatewayBare = () -> HttpLoad.Request.get(gateway, path, MultiMap.caseInsensitiveMultiMap());
            // Warm-up (JIT, connection pools, the hook-secret cache); not reported.
            load.closedLoop(directPush, accepted, 8, Duration.ofSeconds(2));
            load.closedLoop(gatewayPush, accepted, 8, Duration.ofSeconds(2));
            load.closedLoop(directBare, answered, 8, Duration.ofSeconds(1));

            String section = "2. webhook intake (" + fixture.getFileName() + ", " + body.length + " B, signed)";
            rawPostgresRows(stack, o, report, section);

            long accepted202 = 0;
            int rate = o.webhookRate;
            Duration d = Duration.ofSeconds(o.webhookSeconds);
            Duration drain = Duration.ofSeconds(60);
            for (String via : new String[] {"gateway", "direct"}) {
                Supplier<HttpLoad.Request> pushes = via.equals("gateway") ? gatewayPush : directPush;
                Supplier<HttpLoad.Request> bare = via.equals("gateway") ? gatewayBare : directBare;
                BenchMain.progress("webhooks: " + rate + "/s for " + d.toSeconds() + " s via " + via);
                CpuTimes.Snapshot c0 = CpuTimes.take(stack);
                HttpLoad.Result r = load.openLoop(pushes, accepted, rate, d, drain);
                CpuTimes.Snapshot c1 = CpuTimes.take(stack);
                HttpLoad.Result b = load.openLoop(bare, answered, rate, d, drain);
                fixedRateRows(report, section, "push @" + rate + "/s " + via, r, b, rate);
                report.note("2 push @" + rate + "/s " + via + ": " + CpuTimes.perRequest(c0, c1, r.expected()));
                BenchMain.progress("webhooks: max rate (" + o.maxConcurrency + " in flight) via " + via);
                CpuTimes.Snapshot c2 = CpuTimes.take(stack);
                HttpLoad.Result m = load.closedLoop(pushes, accepted, o.maxConcurrency, Duration.ofSeconds(o.maxSeconds));
                CpuTimes.Snapshot c3 = CpuTimes.take(stack);
                HttpLoad.Result mb = load.closedLoop(bare, answered, o.maxConcurrency, Duration.ofSeconds(o.maxSeconds));
                CpuTimes.Snapshot c4 = CpuTimes.take(stack);
                report.note("2 push max rate " + via + ": " + CpuTimes.perRequest(c2, c3, m.expected()));
                report.note("2 bare endpoint max rate " + via + ": " + CpuTimes.perRequest(c3, c4, mb.expected()));
                if (via.equals("direct") && !Double.isNaN(rawOnePerCommit)) {
                    report.note(String.format(java.util.Locale.ROOT, "2: push max rate direct = %.2fx raw PostgreSQL's"
                            + " one commit per push at the same concurrency", m.rate() / rawOnePerCommit));
                }
                report.row(section, "push max rate " + via + " (c=" + o.maxConcurrency + ")", Report.rate(m.rate()),
                        Report.rate(mb.rate()), m.rate() / mb.rate(), "≥ 0.50x bare");
                report.row(section, "  p50 / p99 at max rate", m.latencies().p50p99(), mb.latencies().p50p99(),
                        m.latencies().p99() / mb.latencies().p99(), "-");
                problems(report, "push max rate " + via, m, mb);
                accepted202 += r.expected() + m.expected();
            }
            drain(stack, report, accepted202);
            report.note("2: baseline = GET " + "/webhooks/github/{hook} on the same service (answered "
                    + "without database or signature work), same rate or concurrency, same path through the gateway or"
                    + " directly; the payload's repository matches no procedure, so pushes are stored and relayed but"
                    + " build nothing. Open loop: latency counts from when each request was due, so queueing shows.");
        }
    }

    /**
     * Waits until every accepted push has left webhook-service's outbox and deployment-service has consumed it
     * from deployment.requested, so later parts do not queue behind the intake backlog; notes how long it took.
     */
    static void drain(BenchStack stack, Report report, long accepted) throws Exception {
        BenchMain.progress("webhooks: waiting for the intake backlog to drain");
        long t0 = System.nanoTime();
        long deadline = t0 + Duration.ofSeconds(DRAIN_SECONDS).toNanos();
        long outbox = -1;
        long lag = -1;
        try (java.sql.Connection c = stack.jdbc("benchline_webhooks");
                org.apache.kafka.clients.admin.Admin admin = stack.admin()) {
            while (System.nanoTime() < deadline) {
                try (var rs = c.createStatement().executeQuery("select count(*) from outbox")) {
                    rs.next();
                    outbox = rs.getLong(1);
                }
                lag = lag(admin, io.benchline.events.Topics.DEPLOYMENT_REQUESTED, "deployment-service");
                if (outbox == 0 && lag == 0) {
                    break;
                }
                Thread.sleep(200);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        report.note(outbox == 0 && lag == 0
                ? String.format(java.util.Locale.ROOT, "2: %,d accepted pushes: webhook-service's outbox was empty and"
                        + " deployment-service's lag on deployment.requested 0 %.1f s after the last run ended",
                        accepted, seconds)
                : String.format(java.util.Locale.ROOT, "2: %,d accepted pushes: NOT drained %.0f s after the last run"
                        + " ended (webhook-service outbox %,d rows, deployment-service lag on deployment.requested %,d);"
                        + " anything measured after this part ran while it drained", accepted, seconds, outbox, lag));
    }

    static long lag(org.apache.kafka.clients.admin.Admin admin, String topic, String group) throws Exception {
        var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(30, java.util.concurrent.TimeUnit.SECONDS);
        var partitions = admin.describeTopics(java.util.List.of(topic)).allTopicNames()
                .get(30, java.util.concurrent.TimeUnit.SECONDS).get(topic).partitions();
        java.util.Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest =
                new java.util.HashMap<>();
        for (var p : partitions) {
            latest.put(new org.apache.kafka.common.TopicPartition(topic, p.partition()),
                    org.apache.kafka.clients.admin.OffsetSpec.latest());
        }
        long lag = 0;
        for (var e : admin.listOffsets(latest).all().get(30, java.util.concurrent.TimeUnit.SECONDS).entrySet()) {
            var c = committed.get(e.getKey());
            lag += e.getValue().offset() - (c == null ? 0 : c.offset());
        }
        return lag;
    }

    /** Set by {@link #rawPostgresRows}: raw one-commit-per-push rate, for the ratio note. */
    private static double rawOnePerCommit = Double.NaN;

    /**
     * The intake's database work alone, over JDBC at the max-rate concurrency: what PostgreSQL on this machine does
     * with one durable commit per push, with a NOTIFY in each of those transactions, and with 16 pushes per commit.
     */
    static void rawPostgresRows(BenchStack stack, BenchOptions o, Report report, String section) throws Exception {
        Duration d = Duration.ofSeconds(o.maxSeconds);
        int c = o.maxConcurrency;
        BenchMain.progress("webhooks: raw PostgreSQL baselines (" + c + " JDBC connections)");
        double one = RawPostgres.pushesPerSecond(stack, c, 1, false, d);
        double notify = RawPostgres.pushesPerSecond(stack, c, 1, true, d);
        double grouped = RawPostgres.pushesPerSecond(stack, c, 16, false, d);
        rawOnePerCommit = one;
        report.row(section, "raw PostgreSQL (c=" + c + "): delivery + outbox row, 1 commit per push", Report.rate(one),
                "-", Double.NaN, "-");
        report.row(section, "  same, with a NOTIFY in each transaction", Report.rate(notify), Report.rate(one),
                notify / one, "-");
        report.row(section, "  same, 16 pushes per commit", Report.rate(grouped), Report.rate(one), grouped / one, "-");
        report.note("2: raw PostgreSQL = JDBC straight to the stack's PostgreSQL (synchronous_commit=on), " + c
                + " connections each inserting a delivery row and an outbox row (" + RawPostgres.PAYLOAD.length()
                + " B jsonb) and committing, for " + o.maxSeconds + " s per line, before the pushes run; baseline of"
                + " the two lower lines = the first.");
    }

    private static void fixedRateRows(Report report, String section, String name, HttpLoad.Result r,
            HttpLoad.Result b, int rate) {
        report.row(section, name + ": achieved", Report.rate(r.rate()), Report.rate(b.rate()), r.rate() / b.rate(),
                "≥ " + Report.rate(rate));
        report.row(section, "  p50 / p99 (incl. queueing)", r.latencies().p50p99(), b.latencies().p50p99(),
                r.latencies().p99() / b.latencies().p99(), "p99 < 50 ms at 1,000/s");
        problems(report, name, r, b);
    }

    private static void problems(Report report, String name, HttpLoad.Result r, HttpLoad.Result b) {
        if (!r.problems().isEmpty()) {
            report.note(name + ": " + r.problems());
        }
        if (!b.problems().isEmpty()) {
            report.note(name + " baseline: " + b.problems());
        }
    }

    private static HttpLoad.Request push(int port, String path, String signature, Buffer body) {
        MultiMap h = MultiMap.caseInsensitiveMultiMap()
                .add("Content-Type", "application/json")
                .add("User-Agent", "GitHub-Hookshot/benchline-bench")
                .add("X-GitHub-Event", "push")
                .add("X-GitHub-Delivery", UUID.randomUUID().toString())
                .add("X-GitHub-Hook-ID", "1")
                .add("X-Hub-Signature-256", signature);
        return new HttpLoad.Request(HttpMethod.POST, port, path, h, body);
    }
}
