package io.benchline.bench;

import io.benchline.events.ArtifactRef;
import io.benchline.events.DeploymentEvent;
import io.benchline.events.EventCodec;
import io.benchline.events.EventEnvelope;
import io.benchline.events.EventIds;
import io.benchline.events.EventTypes;
import io.benchline.events.PointerMoved;
import io.benchline.events.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fan-out: N stations linked for production to one procedure and pointing at its deployment 1, inserted
 * set-based into station-dispatcher's database; then a {@code ready} event for deployment 2 published straight
 * to deployment.events, as deployment-service's outbox relay would. Timed from that event's produce time to
 * the last of the N {@code station.pointer.moved} records for deployment 2 (record timestamps), and to the last
 * connected simulated agent told. Baseline: one raw UPDATE of N rows in a scratch table of the same database
 * plus a raw production of N records of the same size to a scratch topic (acks=all, idempotent).
 */
final class FanOutBench {
    static final String SCRATCH_TOPIC = "bench.scratch";
    private static final String SECTION = "1. fan-out (ready event → stations)";

    private FanOutBench() {
    }

    static void run(BenchStack stack, BenchOptions o, Report report) throws Exception {
        String orgId = stack.orgId();
        Fleet.Artifact artifact = Fleet.uploadArtifact(stack);
        try (Admin admin = stack.admin()) {
            admin.createTopics(List.of(new NewTopic(SCRATCH_TOPIC, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        String timedOut = null;
        for (int n : o.fanout) {
            // First with no agent connected (the fan-out alone), then with the simulated fleet long-polling.
            one(stack, o, report, n, orgId, artifact, 0);
            int agents = Math.min(n, o.agents);
            if (agents == 0) {
                continue;
            }
            if (timedOut != null) {
                report.row(SECTION, String.format(Locale.ROOT, "N=%,d, %,d agents connected", n, agents),
                        "skipped: " + timedOut, "-", Double.NaN, "-");
                continue;
            }
            timedOut = one(stack, o, report, n, orgId, artifact, agents);
        }
        report.note("1: each N runs twice on fresh stations: with no agent connected, then with min(N, --agents)"
                + " simulated agents long-polling (a larger N's agent run is skipped once a smaller one timed out).");
        report.note("1: setup per N: set-based inserts (generate_series) of N stations, links and pointers to"
                + " deployment 1 plus the deployment rows, in benchline_dispatcher; the ready event for deployment 2"
                + " is built with EventCodec.envelope and published with ce_id/ce_type headers, key = deployment id."
                + " Baseline = one UPDATE of N rows in a scratch table + producing N records of a pointer-moved"
                + " event's size to topic " + SCRATCH_TOPIC + " (acks=all, idempotent), each timed alone.");
    }

    /** One fan-out of n stations; returns why larger sizes are skipped, or null. */
    private static String one(BenchStack stack, BenchOptions o, Report report, int n, String orgId,
            Fleet.Artifact artifact, int agentCount) throws Exception {
        String oldDeployment = EventIds.withPrefix("dep");
        String newDeployment = EventIds.withPrefix("dep");
        String size = agentCount == 0 ? String.format(Locale.ROOT, "N=%,d, no agent connected", n)
                : String.format(Locale.ROOT, "N=%,d, %,d agents connected", n, agentCount);
        BenchMain.progress("fan-out " + size + ": inserting stations, links, pointers");
        Fleet fleet = Fleet.insert(stack, n, orgId, oldDeployment, artifact);
        String procedureId = fleet.procedureId;
        double setupSeconds = fleet.setupSeconds;

        BenchMain.progress("fan-out " + size + ": baseline (raw UPDATE, raw produce)");
        double update = RawPostgres.updateRows(stack, n);
        double produce = rawProduce(stack, n, orgId, procedureId, oldDeployment, newDeployment, fleet.tag);
        double baseline = update + produce;
        String baselineText = Report.seconds(baseline) + " (" + Report.seconds(update) + " + " + Report.seconds(produce) + ")";

        List<String> tokens = fleet.tokens(agentCount);
        PointerMoves moves = new PointerMoves(stack, newDeployment);
        try (SimulatedAgents agents = new SimulatedAgents(stack.port("station-dispatcher"), tokens, newDeployment)) {
            if (agentCount > 0) {
                BenchMain.progress("fan-out " + size + ": connecting " + agentCount + " agents to station-dispatcher");
            }
            long c0 = System.nanoTime();
            SimulatedAgents.Mode mode = agentCount == 0 ? SimulatedAgents.Mode.NONE : agents.connect();
            double connectSeconds = (System.nanoTime() - c0) / 1e9;
            // Joining costs the dispatcher two snapshot reads per agent; join at 40% of the rate it served the
            // first GETs at, so the joins do not saturate it before the event is even sent.
            int joinRate = (int) Math.max(50, Math.min(1000, 0.4 * agentCount / Math.max(0.001, connectSeconds)));
            if (mode == SimulatedAgents.Mode.LONG_POLL) {
                BenchMain.progress("fan-out " + size + ": agents joining the long-poll at " + joinRate + "/s");
                agents.hold(joinRate);
                Thread.sleep(5_000);
            }
            moves.start();
            BenchMain.progress("fan-out " + size + ": publishing the ready event (" + mode + ")");
            long sent = System.nanoTime();
            long readyTimestamp = publishReady(stack, newDeployment, orgId, procedureId, artifact);
            if (mode == SimulatedAgents.Mode.POLLING) {
                agents.poll();
            }
            long deadline = sent + Duration.ofSeconds(o.fanoutTimeout).toNanos();
            long nextProgress = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < deadline && (moves.count() < n || agents.told() < agentCount)) {
                Thread.sleep(20);
                if (System.nanoTime() > nextProgress) {
                    nextProgress += 10_000_000_000L;
                    BenchMain.progress(String.format(Locale.ROOT, "fan-out %s: %,d of %,d moved, %,d of %,d agents told",
                            size, moves.count(), n, agents.told(), agentCount));
                }
            }
            double waited = (System.nanoTime() - sent) / 1e9;
            moves.stop();
            String reason = null;
            if (moves.count() >= n) {
                double seconds = (moves.lastTimestamp() - readyTimestamp) / 1000.0;
                report.row(SECTION, size + ": ready → last pointer.moved", Report.seconds(seconds), baselineText,
                        seconds / baseline, target(n));
            } else {
                report.row(SECTION, size + ": ready → last pointer.moved", String.format(Locale.ROOT,
                        "timed out after %.0f s (%,d of %,d moved)", waited, moves.count(), n), baselineText,
                        Double.NaN, target(n));
                reason = size + " timed out";
                report.note("1 " + size + ": after the timeout " + jobState(stack, newDeployment));
            }
            String told = String.format(Locale.ROOT, "  → last of %,d agents told (%s)", agentCount,
                    mode == SimulatedAgents.Mode.LONG_POLL ? "long-poll" : "POLLING fallback");
            if (agentCount == 0) {
                report.note(String.format(Locale.ROOT, "1 %s: setup %.1f s", size, setupSeconds));
                return reason;
            }
            if (agents.told() >= agentCount) {
                double seconds = (agents.lastToldNanos() - sent) / 1e9;
                report.row(SECTION, told, Report.seconds(seconds), baselineText, seconds / baseline, target(n));
            } else {
                report.row(SECTION, told, String.format(Locale.ROOT, "timed out after %.0f s (%,d of %,d told)", waited,
                        agents.told(), agentCount), baselineText, Double.NaN, target(n));
            }
            report.note(String.format(Locale.ROOT, "1 %s: setup %.1f s; %,d agents connected directly to"
                    + " station-dispatcher (port %d, not through the gateway), first un-etagged GETs (200 at a time) took"
                    + " %.1f s; mode %s%s",
                    size, setupSeconds, agentCount, stack.port("station-dispatcher"), connectSeconds,
                    mode == SimulatedAgents.Mode.LONG_POLL ? "long-poll (If-None-Match + wait=" + SimulatedAgents.WAIT_SECONDS + ", joining at "
                            + joinRate + "/s = 40% of the first GETs' rate, then 5 s before the event; a failed request"
                            + " is retried after 1-16 s)"
                            : "polling (the dispatcher answered a conditional request at once instead of holding it;"
                            + " 64 requests in flight over the agents not told yet)",
                    agents.errors() == 0 ? "" : String.format(Locale.ROOT, "; %,d agent request errors, first: %s",
                            agents.errors(), agents.firstError())));
            if (reason != null) {
                report.note("1 " + size + ": after the timeout station-dispatcher may still be working on this fan-out"
                        + " while later figures are measured");
            }
            return reason;
        } finally {
            moves.stop();
        }
    }

    /** What station-dispatcher recorded of the fan-out (its fanout_jobs table, if it has one). */
    private static String jobState(BenchStack stack, String deploymentId) {
        try (Connection c = stack.jdbc("benchline_dispatcher");
                PreparedStatement s = c.prepareStatement("select moved, finished_at is not null from fanout_jobs"
                        + " where deployment_id = ?")) {
            s.setString(1, deploymentId);
            var rs = s.executeQuery();
            if (!rs.next()) {
                return "fanout_jobs holds no job for the deployment (the ready event was not handled)";
            }
            return "fanout_jobs: moved " + rs.getLong(1) + ", finished " + rs.getBoolean(2);
        } catch (Exception e) {
            return "fanout_jobs unreadable: " + e.getMessage();
        }
    }

    private static double rawProduce(BenchStack stack, int n, String orgId, String procedureId, String from, String to,
            String tag) throws Exception {
        List<ProducerRecord<String, String>> records = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            String station = Fleet.stationId(tag, i);
            EventEnvelope e = EventCodec.envelope(EventTypes.POINTER_MOVED, "/station-dispatcher", station,
                    new PointerMoved(station, orgId, procedureId, from, to, "auto", 2));
            ProducerRecord<String, String> r = new ProducerRecord<>(SCRATCH_TOPIC, station, EventCodec.toJson(e));
            r.headers().add(EventEnvelope.HEADER_ID, e.id().getBytes(StandardCharsets.UTF_8));
            r.headers().add(EventEnvelope.HEADER_TYPE, e.type().getBytes(StandardCharsets.UTF_8));
            records.add(r);
        }
        try (KafkaProducer<String, String> producer = stack.producer()) {
            producer.partitionsFor(SCRATCH_TOPIC);
            long t0 = System.nanoTime();
            for (ProducerRecord<String, String> r : records) {
                producer.send(r);
            }
            producer.flush();
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    /** Publishes the ready event; returns its record timestamp (the producer's create time, ms). */
    private static long publishReady(BenchStack stack, String deploymentId, String orgId, String procedureId,
            Fleet.Artifact a) throws Exception {
        DeploymentEvent event = new DeploymentEvent(DeploymentEvent.READY, deploymentId, orgId, procedureId, 2,
                "production", "auto", "ready", "main", "b".repeat(40), true,
                new ArtifactRef(a.digest(), a.size(), a.signature(), a.keyId()));
        EventEnvelope envelope = EventCodec.envelope(EventTypes.DEPLOYMENT_LIFECYCLE, "/deployment-service",
                deploymentId, event);
        ProducerRecord<String, String> r = new ProducerRecord<>(Topics.DEPLOYMENT_EVENTS, deploymentId,
                EventCodec.toJson(envelope));
        r.headers().add(EventEnvelope.HEADER_ID, envelope.id().getBytes(StandardCharsets.UTF_8));
        r.headers().add(EventEnvelope.HEADER_TYPE, envelope.type().getBytes(StandardCharsets.UTF_8));
        r.headers().add("content-type", "application/cloudevents+json".getBytes(StandardCharsets.UTF_8));
        try (KafkaProducer<String, String> producer = stack.producer()) {
            RecordMetadata md = producer.send(r).get(30, TimeUnit.SECONDS);
            return md.timestamp();
        }
    }

    /** Consumes station.pointer.moved from its end: distinct stations moved to the awaited deployment. */
    static final class PointerMoves {
        private final BenchStack stack;
        private final String awaited;
        private final Set<String> stations = ConcurrentHashMap.newKeySet();
        private final AtomicLong lastTimestamp = new AtomicLong();
        private final java.util.concurrent.CountDownLatch assigned = new java.util.concurrent.CountDownLatch(1);
        private volatile boolean stopped;
        private Thread thread;

        PointerMoves(BenchStack stack, String awaited) {
            this.stack = stack;
            this.awaited = awaited;
        }

        void start() throws InterruptedException {
            thread = new Thread(this::consume, "bench-pointer-moved");
            thread.setDaemon(true);
            thread.start();
            assigned.await(30, TimeUnit.SECONDS);
        }

        private void consume() {
            try (KafkaConsumer<String, String> c = stack.consumer()) {
                List<TopicPartition> parts = c.partitionsFor(Topics.STATION_POINTER_MOVED).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                c.assign(parts);
                c.seekToEnd(parts);
                parts.forEach(c::position);
                assigned.countDown();
                while (!stopped) {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100))) {
                        PointerMoved moved = EventCodec.data(EventCodec.parse(r.value()), PointerMoved.class);
                        if (awaited.equals(moved.toDeploymentId()) && stations.add(moved.stationId())) {
                            lastTimestamp.accumulateAndGet(r.timestamp(), Math::max);
                        }
                    }
                }
            }
        }

        int count() {
            return stations.size();
        }

        long lastTimestamp() {
            return lastTimestamp.get();
        }

        void stop() throws InterruptedException {
            stopped = true;
            if (thread != null) {
                thread.join(5_000);
            }
        }
    }

    /** The target: 10,000 stations moved and told within 1 s, 100,000 within 10 s, each ≤ 2x the baseline. */
    private static String target(int n) {
        return String.format(Locale.ROOT, "≤ %s s and ≤ 2x", n <= 10_000 ? "1" : Long.toString(Math.round(n / 10_000.0)));
    }
}
