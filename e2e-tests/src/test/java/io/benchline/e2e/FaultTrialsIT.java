package io.benchline.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.events.Topics;
import io.benchline.stack.LocalStack;
import io.benchline.stack.StackLayout;
import io.benchline.stack.StackOptions;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Fault trials (issue 7, part 1; invariant 8): on one real local stack (every service its own process, real
 * PostgreSQL, Kafka and S3Proxy, a real agent per trial), each trial runs signed pushes and API calls (manual
 * deployments, pins, promotes, rollbacks, resumes) concurrently, kills one process with SIGKILL at a random moment
 * (seeded: the seed is printed), brings it back, and then checks that every acknowledged request had its full effect
 * exactly once ({@link FaultChecks}), that nothing is left pending or building, and how long the pipeline took to
 * resume: from the moment the last server is back to the first push sent then being {@code ready}.
 * <p>
 * Targets: each service and the gateway (restarted at once: the restart itself is the outage), Kafka and PostgreSQL
 * (down for {@code benchline.fault.short-outage} and for {@code benchline.fault.long-outage}).
 * A plain {@code ./mvnw verify} leaves this class out; its default plan is a smoke run ({@code -Pfault-trials-smoke});
 * {@code -Pfault-trials-ci} is what {@code .ci/run} adds,
 * {@code -Pfault-trials} the issue's full plan (e2e-tests/README.md).
 * Resume times are measured and printed, not asserted: only "ready at all within {@link #SETTLE}" fails a trial.
 */
class FaultTrialsIT {
    static final List<String> SERVICE_TARGETS = List.of("webhook-service", "deployment-service", "build-worker",
            "artifact-store", "station-dispatcher", LocalStack.GATEWAY);
    static final String KAFKA = "kafka";
    static final String POSTGRES = "postgres";

    /** Trials per service (and the gateway). */
    static final int TRIALS = Integer.getInteger("benchline.fault.trials", 1);
    /** Trials per Kafka and PostgreSQL with the short outage. */
    static final int INFRA_TRIALS = Integer.getInteger("benchline.fault.infra-trials", 1);
    static final Duration SHORT_OUTAGE = duration("benchline.fault.short-outage", "5s");
    /**
     * Zero: no long-outage trials (the smoke plan). The CI and full plans use 2 minutes, which outlasts
     * the 60 s and 30 s bounds that broke the pipeline before.
     */
    static final Duration LONG_OUTAGE = duration("benchline.fault.long-outage", "0s");
    static final int LONG_TRIALS = Integer.getInteger("benchline.fault.long-trials", 1);
    static final long SEED = Long.getLong("benchline.fault.seed", new SecureRandom().nextLong());
    /** Comma-separated subset of targets (all when empty), for reproducing one kind of trial. */
    static final Set<String> ONLY = java.util.Arrays.stream(System.getProperty("benchline.fault.targets", "").split(","))
            .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    /** Requests keep coming this long into an outage, then stop, so a long outage does not pile up minutes of work. */
    static final Duration TRAFFIC_INTO_OUTAGE = Duration.ofSeconds(15);
    /** The issue's goal for the resume time: printed against each trial, not asserted (see the class comment). */
    static final Duration RESUME_GOAL = Duration.ofSeconds(10);
    /** How long anything may take to settle after the last server is back before the trial fails. */
    static final Duration SETTLE = Duration.ofSeconds(180);

    private static LocalStack stack;
    private static Path work;
    private static Api api;
    private static Path trustedKeys;
    private static boolean kafkaDown;
    private static boolean postgresDown;
    private static final List<Result> RESULTS = Collections.synchronizedList(new ArrayList<>());
    private static long started;

    record Plan(int number, String target, int round, Duration outage, long seed) {
        String label() {
            return "#" + number + " " + target + (outage.isZero() ? "" : " down " + format(outage)) + " (" + round + ")";
        }
    }

    record Result(Plan plan, long killAfterMillis, long downMillis, long restartMillis, long resumeMillis,
            long firstReadyMillis,
            long stationMillis, long agentMillis, String tally, List<String> problems) {
    }

    @BeforeAll
    static void startStack() throws Exception {
        started = System.nanoTime();
        work = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "faults-");
        stack = LocalStack.start(StackOptions.randomPorts(work.resolve("stack"),
                StackOptions.parseInstances(System.getProperty("benchline.fault.instances", ""))), StackLayout.detect());
        api = new Api(stack.baseUrl(), stack.apiKey());
        trustedKeys = work.resolve("trusted-keys.json");
        Files.writeString(trustedKeys, api.get("/v2/keys").expect(200).body());
    }

    @AfterAll
    static void stopStack() throws Exception {
        try {
            summary();
        } finally {
            if (stack != null) {
                stack.close();
            }
        }
    }

    static List<Plan> plan() {
        Random random = new Random(SEED);
        List<Plan> plans = new ArrayList<>();
        int rounds = Math.max(TRIALS, INFRA_TRIALS);
        // Round by round, so a run cut short has still tried every target.
        for (int round = 1; round <= rounds; round++) {
            if (round <= TRIALS) {
                for (String target : SERVICE_TARGETS) {
                    plans.add(new Plan(0, target, round, Duration.ZERO, 0));
                }
            }
            if (round <= INFRA_TRIALS) {
                plans.add(new Plan(0, KAFKA, round, SHORT_OUTAGE, 0));
                plans.add(new Plan(0, POSTGRES, round, SHORT_OUTAGE, 0));
            }
        }
        if (!LONG_OUTAGE.isZero()) {
            for (int round = 1; round <= LONG_TRIALS; round++) {
                plans.add(new Plan(0, KAFKA, round, LONG_OUTAGE, 0));
                plans.add(new Plan(0, POSTGRES, round, LONG_OUTAGE, 0));
            }
        }
        List<Plan> numbered = new ArrayList<>();
        for (Plan p : plans) {
            if (ONLY.isEmpty() || ONLY.contains(p.target())) {
                numbered.add(new Plan(numbered.size() + 1, p.target(), p.round(), p.outage(), random.nextLong()));
            }
        }
        return numbered;
    }

    @TestFactory
    Stream<DynamicTest> faultTrials() {
        List<Plan> plans = plan();
        Map<String, Long> perKind = plans.stream().collect(Collectors.groupingBy(p -> p.target()
                + (p.outage().isZero() ? "" : " down " + format(p.outage())), LinkedHashMap::new, Collectors.counting()));
        System.out.printf("fault trials: seed %d (-Dbenchline.fault.seed=%d to repeat the choices), %d trials: %s%n",
                SEED, SEED, plans.size(), perKind.entrySet().stream().map(e -> e.getValue() + " × " + e.getKey())
                        .collect(Collectors.joining(", ")));
        return plans.stream().map(p -> DynamicTest.dynamicTest(p.label(), () -> {
            Result result = trial(p);
            RESULTS.add(result);
            System.out.println(line(result));
            if (!result.problems().isEmpty()) {
                throw new AssertionError("fault trial " + p.label() + " (seed " + p.seed() + ") found "
                        + result.problems().size() + " problem(s):\n  " + String.join("\n  ", result.problems()));
            }
        }));
    }

    private static Result trial(Plan p) throws Exception {
        ensureEverythingUp();
        String name = "ft" + p.number() + "-" + p.target().replace("-service", "").replace("station-", "");
        Path dir = work.resolve("trial-" + p.number());
        Random random = new Random(p.seed());
        FaultWorkload w = FaultWorkload.create(name, stack, api, dir, trustedKeys, random.nextLong());
        FaultChecks checks = new FaultChecks(w);
        long killAfter = 500 + random.nextInt(3_000);
        long down = -1;
        long restartTook = -1;
        long resume = -1;
        long firstReady = -1;
        long station = -1;
        long agent = -1;
        try {
            w.warmUp(Duration.ofSeconds(120));
            Map<String, Long> deadLettersBefore = deadLetterCounts();
            Map<String, Set<String>> outboxFailedBefore = outboxFailed();

            w.start();
            Thread.sleep(killAfter);
            long killed = System.nanoTime();
            kill(p.target());
            if (!p.outage().isZero()) {
                if (p.outage().compareTo(TRAFFIC_INTO_OUTAGE) > 0) {
                    Thread.sleep(TRAFFIC_INTO_OUTAGE.toMillis());
                    w.stop();
                    Thread.sleep(p.outage().minus(TRAFFIC_INTO_OUTAGE).toMillis());
                } else {
                    Thread.sleep(p.outage().toMillis());
                }
            }
            long restarting = System.nanoTime();
            restart(p.target());
            long backNanos = System.nanoTime();
            restartTook = (backNanos - restarting) / 1_000_000;
            Instant back = Instant.now();
            down = (backNanos - killed) / 1_000_000;
            w.stop();

            // The probe: the first push sent once everything is back (resumed first if a rollback paused it).
            w.resume(SETTLE);
            FaultWorkload.Push probe = w.newPush();
            w.deliver(probe, SETTLE);
            String probeId = null;
            long deadline = backNanos + SETTLE.toNanos();
            while (System.nanoTime() < deadline) {
                JsonNode d = quietly(() -> w.deploymentOf(probe.commit));
                if (d != null && "ready".equals(d.path("status").asText())) {
                    resume = (System.nanoTime() - backNanos) / 1_000_000;
                    probeId = d.get("id").asText();
                    break;
                }
                if (d != null && "failed".equals(d.path("status").asText())) {
                    checks.problem("the probe push failed to build: %s", d.path("failure_reason").asText());
                    break;
                }
                Thread.sleep(100);
            }
            if (probeId == null && resume < 0) {
                checks.problem("the probe push sent when everything was back is not ready after %d s",
                        SETTLE.toSeconds());
            }
            if (probeId != null) {
                String id = probeId;
                station = millisUntil(backNanos, deadline, () -> id.equals(w.pointer(w.autoStation)
                        .path("deployment_id").asText()));
                agent = millisUntil(backNanos, deadline, () -> id.equals(w.pointer(w.autoStation)
                        .path("actual_deployment_id").asText()));
                if (station < 0) {
                    checks.problem("the auto station's pointer never named the probe %s (it names %s)", id,
                            w.pointer(w.autoStation).path("deployment_id").asText());
                } else if (agent < 0) {
                    checks.problem("the agent never ran the probe %s (it runs %s)", id,
                            w.pointer(w.autoStation).path("actual_deployment_id").asText());
                }
            }

            // GitHub redelivers what was not acknowledged, with the same delivery id.
            for (FaultWorkload.Push push : List.copyOf(w.pushes)) {
                if (!push.acknowledged) {
                    w.deliver(push, SETTLE);
                }
            }
            long readyBy = Math.max(backNanos + SETTLE.toNanos(), System.nanoTime() + Duration.ofSeconds(30).toNanos());
            for (String service : SERVICE_TARGETS) {
                if (millisUntil(backNanos, readyBy, () -> stack.serviceReady(service)) < 0) {
                    checks.problem("%s does not answer ready %d s after the last server came back", service,
                            (readyBy - backNanos) / 1_000_000_000);
                }
            }

            // Nothing stays pending or building.
            List<JsonNode> all;
            try {
                all = Await.until("every deployment of " + name + " is final", SETTLE, () -> {
                    List<JsonNode> list = w.allDeployments();
                    return list.stream().allMatch(d -> Set.of("ready", "failed").contains(d.path("status").asText()))
                            ? list : null;
                });
            } catch (AssertionError e) {
                all = w.allDeployments();
                all.stream().filter(d -> !Set.of("ready", "failed").contains(d.path("status").asText()))
                        .forEach(d -> checks.problem("deployment %s is still %s %d s after the last server came back",
                                d.get("id").asText(), d.path("status").asText(), SETTLE.toSeconds()));
            }
            for (JsonNode d : all) {
                if ("ready".equals(d.path("status").asText()) && d.hasNonNull("ended_at")) {
                    long after = Duration.between(back, Instant.parse(d.get("ended_at").asText())).toMillis();
                    if (after >= 0 && (firstReady < 0 || after < firstReady)) {
                        firstReady = after;
                    }
                }
            }

            checks.deployments(all);
            checks.procedureHistory(w.history("/v2/procedures/" + w.procedureId + "/history"), all);
            List<JsonNode> pinHistory = w.history("/v2/stations/" + w.pinStation + "/history");
            checks.pinHistory(pinHistory);
            // Fan-out jobs queued behind the outage may still be moving pointers (and their events travelling):
            // read again until history, pointers and events agree, or the settling time is over.
            List<String> pointerProblems;
            long settleUntil = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                List<ConsumerRecord<String, String>> moves = TopicReader.readAll(stack.kafkaBootstrap(),
                        Topics.STATION_POINTER_MOVED);
                pointerProblems = new ArrayList<>(checks.pointerEvents("auto", w.autoStation, moves,
                        w.pointer(w.autoStation), w.history("/v2/stations/" + w.autoStation + "/history")));
                pointerProblems.addAll(checks.pointerEvents("pin", w.pinStation, moves, w.pointer(w.pinStation),
                        w.history("/v2/stations/" + w.pinStation + "/history")));
                // The probe and the redeliveries after it came after the last resume, so the newest production
                // deployment is where the auto station ends; nothing may move it away (a late rollback job would).
                String newest = all.stream().filter(d -> "production".equals(d.path("environment").asText())
                                && "ready".equals(d.path("status").asText()))
                        .max(java.util.Comparator.comparingLong(d -> d.path("sequence").asLong()))
                        .map(d -> d.get("id").asText()).orElse(null);
                String ends = w.pointer(w.autoStation).path("deployment_id").asText();
                if (newest != null && !newest.equals(ends)) {
                    pointerProblems.add("the auto station ends on " + ends + ", not on the newest production"
                            + " deployment " + newest + " (the probe was " + probeId + ")");
                }
                if (pointerProblems.isEmpty() || System.nanoTime() > settleUntil) {
                    break;
                }
                Thread.sleep(1_000);
            }
            pointerProblems.forEach(problem -> checks.problem("%s", problem));
            deadLetters(deadLettersBefore, checks);
            Map<String, Set<String>> outboxFailedAfter = outboxFailed();
            outboxFailedAfter.forEach((service, ids) -> {
                Set<String> added = new HashSet<>(ids);
                added.removeAll(outboxFailedBefore.getOrDefault(service, Set.of()));
                if (!added.isEmpty()) {
                    checks.problem("%s moved %d outbox row(s) to outbox_failed: %s", service, added.size(), added);
                }
            });
        } catch (Exception | AssertionError e) {
            checks.problem("the trial could not complete: %s", e.toString());
        } finally {
            w.stop();
            w.stopAgent();
            w.unlink();
        }
        return new Result(p, killAfter, down, restartTook, resume, firstReady, station, agent, FaultChecks.tally(w),
                checks.problems());
    }

    private static void kill(String target) {
        switch (target) {
            case KAFKA -> {
                kafkaDown = true;
                stack.killKafka();
            }
            case POSTGRES -> {
                postgresDown = true;
                stack.killPostgres();
            }
            default -> stack.killService(target);
        }
    }

    private static void restart(String target) {
        switch (target) {
            case KAFKA -> {
                stack.restartKafka();
                kafkaDown = false;
            }
            case POSTGRES -> {
                stack.restartPostgres();
                postgresDown = false;
            }
            default -> {
                // Another supervisor may have restarted it already (the local stack may learn to): take it as is.
                if (!stack.serviceReady(target)) {
                    stack.restartService(target);
                }
            }
        }
    }

    /** Before a trial: whatever an earlier trial left down is started again. */
    private static void ensureEverythingUp() {
        if (postgresDown) {
            restart(POSTGRES);
        }
        if (kafkaDown) {
            restart(KAFKA);
        }
        for (String service : SERVICE_TARGETS) {
            if (!stack.serviceReady(service)) {
                System.out.println("fault trials: " + service + " is not ready before a trial; restarting it");
                stack.restartService(service);
            }
        }
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    /**
     * Milliseconds from {@code fromNanos} until the condition held (polled every 100 ms, at least once), or -1 at the
     * deadline.
     */
    private static long millisUntil(long fromNanos, long deadlineNanos, Condition condition) throws InterruptedException {
        boolean first = true;
        while (first || System.nanoTime() < deadlineNanos) {
            first = false;
            try {
                if (condition.holds()) {
                    return (System.nanoTime() - fromNanos) / 1_000_000;
                }
            } catch (Exception | AssertionError ignored) {
                // not yet answerable
            }
            Thread.sleep(100);
        }
        return -1;
    }

    private interface Read<T> {
        T get() throws Exception;
    }

    private static <T> T quietly(Read<T> read) {
        try {
            return read.get();
        } catch (Exception | AssertionError e) {
            return null;
        }
    }

    private static Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        return Admin.create(props);
    }

    /** Records in each dead-letter topic (sum of end offsets). */
    private static Map<String, Long> deadLetterCounts() throws Exception {
        try (Admin admin = admin()) {
            List<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(t -> t.startsWith("dead-letter-topic-")).sorted().toList();
            Map<String, Long> counts = new LinkedHashMap<>();
            for (String topic : topics) {
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions()
                        .forEach(pi -> latest.put(new TopicPartition(topic, pi.partition()), OffsetSpec.latest()));
                long sum = 0;
                for (var info : admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values()) {
                    sum += info.offset();
                }
                counts.put(topic, sum);
            }
            return counts;
        }
    }

    /** Every valid event of a trial must be handled: a new dead letter is a lost effect. */
    private static void deadLetters(Map<String, Long> before, FaultChecks checks) throws Exception {
        for (Map.Entry<String, Long> e : deadLetterCounts().entrySet()) {
            long added = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            if (added > 0) {
                List<ConsumerRecord<String, String>> records = TopicReader.readAll(stack.kafkaBootstrap(), e.getKey());
                List<String> reasons = new ArrayList<>();
                for (ConsumerRecord<String, String> r : records.subList(Math.max(0, records.size() - (int) added),
                        records.size())) {
                    var reason = r.headers().lastHeader("dead-letter-reason");
                    reasons.add(r.key() + ": " + (reason == null ? "?" : new String(reason.value(), StandardCharsets.UTF_8)));
                }
                checks.problem("%d record(s) went to %s: %s", added, e.getKey(), reasons);
            }
        }
    }

    /** Ids in each service's {@code outbox_failed} (its internal endpoint). */
    private static Map<String, Set<String>> outboxFailed() throws Exception {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (String service : List.of("webhook-service", "deployment-service", "station-dispatcher")) {
            Api direct = new Api(stack.serviceUrl(service), null);
            JsonNode list = direct.get("/internal/v1/outbox/failed", "X-Benchline-Internal-Token", stack.internalToken())
                    .expect(200).json();
            Set<String> ids = new HashSet<>();
            list.path("data").forEach(row -> ids.add(row.path("id").asText()));
            out.put(service, ids);
        }
        return out;
    }

    private static String line(Result r) {
        return String.format("fault trial %-30s killed %4.1f s in, back %5.1f s later (restart %4.1f s), resume %s"
                        + " (first ready %s, station %s, agent %s); %s; %s",
                r.plan().label(), r.killAfterMillis() / 1000.0, r.downMillis() / 1000.0, r.restartMillis() / 1000.0,
                seconds(r.resumeMillis()),
                seconds(r.firstReadyMillis()), seconds(r.stationMillis()), seconds(r.agentMillis()), r.tally(),
                r.problems().isEmpty() ? "ok" : r.problems().size() + " problem(s)");
    }

    private static void summary() throws Exception {
        if (RESULTS.isEmpty()) {
            return;
        }
        List<String> out = new ArrayList<>();
        out.add(String.format("fault trials: seed %d, %d trials in %.1f min (with the stack's start)", SEED,
                RESULTS.size(), (System.nanoTime() - started) / 60e9));
        out.add("requests per trial are counted as kind accepted/refused(4xx)/failed(5xx or no answer); a push counts"
                + " its first delivery");
        Map<String, List<Result>> byKind = new LinkedHashMap<>();
        for (Result r : RESULTS) {
            String kind = r.plan().target() + (r.plan().outage().isZero() ? "" : " down " + format(r.plan().outage()));
            byKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(r);
        }
        long worst = -1;
        String worstKind = null;
        for (Map.Entry<String, List<Result>> e : byKind.entrySet()) {
            List<Result> rs = e.getValue();
            long failed = rs.stream().filter(r -> !r.problems().isEmpty()).count();
            long max = rs.stream().mapToLong(Result::resumeMillis).max().orElse(-1);
            long median = median(rs.stream().mapToLong(Result::resumeMillis).filter(v -> v >= 0).sorted().toArray());
            long slow = rs.stream().filter(r -> r.resumeMillis() > RESUME_GOAL.toMillis()).count();
            out.add(String.format("  %-30s %3d trials, %d with problems; resume median %s, worst %s, %d over %d s",
                    e.getKey(), rs.size(), failed, seconds(median), seconds(max), slow, RESUME_GOAL.toSeconds()));
            if (max > worst) {
                worst = max;
                worstKind = e.getKey();
            }
        }
        out.add(String.format("worst resume time: %s (%s)", seconds(worst), worstKind));
        for (Result r : RESULTS) {
            out.add("  " + line(r));
            r.problems().forEach(problem -> out.add("      " + problem));
        }
        out.forEach(System.out::println);
        Files.write(Path.of("target", "fault-trials-summary.txt"), out, StandardCharsets.UTF_8);
    }

    private static long median(long[] sorted) {
        return sorted.length == 0 ? -1 : sorted[sorted.length / 2];
    }

    private static String seconds(long millis) {
        return millis < 0 ? "-" : String.format("%.1f s", millis / 1000.0);
    }

    static String format(Duration d) {
        return d.toSeconds() % 60 == 0 && d.toSeconds() >= 60 ? d.toMinutes() + " min" : d.toSeconds() + " s";
    }

    private static Duration duration(String property, String fallback) {
        String value = System.getProperty(property, fallback).trim().toLowerCase();
        if (value.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
        }
        long n = Long.parseLong(value.substring(0, value.length() - 1));
        return switch (value.charAt(value.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> throw new IllegalArgumentException(property + " must be like 5s, 2m or 500ms: " + value);
        };
    }
}
