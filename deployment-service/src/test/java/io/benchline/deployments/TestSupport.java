package io.benchline.deployments;

import io.benchline.deployments.app.ApiKeys;
import io.benchline.events.ArtifactRef;
import io.benchline.events.BuildCompleted;
import io.benchline.events.BuildLogs;
import io.benchline.events.BuildStarted;
import io.benchline.events.Commit;
import io.benchline.events.DeploymentEvent;
import io.benchline.events.DeploymentRequested;
import io.benchline.events.EventCodec;
import io.benchline.events.EventEnvelope;
import io.benchline.events.EventIds;
import io.benchline.events.EventTypes;
import io.benchline.events.Topics;
import io.benchline.testsupport.BenchlineInfra;
import io.benchline.testsupport.KafkaTestClient;
import io.quarkus.arc.Arc;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static io.restassured.RestAssured.given;

/** Shared helpers: API calls with a key, events on the real Kafka broker, polling. */
final class TestSupport {
    static final String KEY = "test-bootstrap-key";
    static final String OTHER_KEY = "other-org-test-key";
    static final Duration WAIT = Duration.ofSeconds(90);
    private static volatile String orgId;
    private static volatile String otherOrgId;

    private TestSupport() {
    }

    static RequestSpecification as(String key) {
        return given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON);
    }

    static RequestSpecification internal() {
        return given().header("X-Benchline-Internal-Token", BenchlineInfra.INTERNAL_TOKEN).contentType(ContentType.JSON);
    }

    /** The bootstrap organization (test-org), as introspection reports it. */
    static String orgId() {
        if (orgId == null) {
            orgId = internal().body(Map.of("api_key", KEY)).post("/internal/v1/auth/introspect")
                    .then().statusCode(200).extract().path("org_id");
        }
        return orgId;
    }

    /** A second organization with its own key, made through the same service the bootstrap uses. */
    static synchronized String otherOrgId() {
        if (otherOrgId == null) {
            ApiKeys apiKeys = Arc.container().instance(ApiKeys.class).get();
            try {
                otherOrgId = VertxContextSupport.subscribeAndAwait(() -> apiKeys.ensureKey("other-org", OTHER_KEY))
                        .orgId();
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }
        return otherOrgId;
    }

    static String unique(String prefix) {
        return prefix + "-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
    }

    static Map<String, Object> procedureBody(String name, String cloneUrl) {
        Map<String, Object> repo = new HashMap<>();
        repo.put("provider", "github");
        repo.put("clone_url", cloneUrl);
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        body.put("repository", repo);
        return body;
    }

    /** A procedure on {@code https://github.com/<fullName>.git}; returns the create answer. */
    static JsonPath createProcedure(String key, String fullName, Map<String, Object> extra) {
        Map<String, Object> body = procedureBody(unique("proc"), "https://github.com/" + fullName + ".git");
        body.putAll(extra);
        return as(key).body(body).post("/v2/procedures").then().statusCode(201).extract().jsonPath();
    }

    /** A manual deployment, pending (nothing builds it in these tests). */
    static String pendingDeployment(String procedureId) {
        return as(KEY).body(Map.of("procedure_id", procedureId, "commit_sha", sha()))
                .post("/v2/deployments").then().statusCode(202).extract().path("id");
    }

    static Instant at(int secondsAgo) {
        return Instant.now().minusSeconds(secondsAgo).truncatedTo(ChronoUnit.MILLIS);
    }

    /** Log lines numbered {@code from} to {@code to}. */
    static List<BuildLogs.Line> lines(long from, long to) {
        return java.util.stream.LongStream.rangeClosed(from, to)
                .mapToObj(n -> new BuildLogs.Line(n, at(30), "info", "line " + n)).toList();
    }

    /** The deployment's log as GET /v2/deployments/{id}/logs answers it. */
    static List<Map<String, Object>> logs(String id) {
        return as(KEY).get("/v2/deployments/" + id + "/logs").then().statusCode(200).extract().jsonPath()
                .getList("data");
    }

    static String sha() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            s.append(Character.forDigit(ThreadLocalRandom.current().nextInt(16), 16));
        }
        return s.toString();
    }

    /** A GitHub-shaped push of a branch of {@code github.com/<fullName>}. */
    static DeploymentRequested push(String org, String fullName, String deliveryId, String branch, String commitSha) {
        return new DeploymentRequested("github", deliveryId, "hk_test", org,
                new DeploymentRequested.Repository(fullName, "https://github.com/" + fullName + ".git",
                        "git@github.com:" + fullName + ".git", "https://github.com/" + fullName),
                "refs/heads/" + branch, "branch", branch, sha(), commitSha, commitSha,
                new Commit(commitSha, "Fix the limits", "Ada <ada@example.com>", branch, Instant.now()),
                false, false, false, "ada", 1);
    }

    static EventEnvelope envelope(String type, String subject, Object data) {
        return EventCodec.envelope(type, "/test", subject, data);
    }

    /** Sends an envelope with its ce_id / ce_type headers. */
    static void send(String topic, String key, EventEnvelope envelope) {
        KafkaTestClient.send(topic, key, EventCodec.toJson(envelope),
                Map.of(EventEnvelope.HEADER_ID, envelope.id(), EventEnvelope.HEADER_TYPE, envelope.type()));
    }

    static EventEnvelope sendPush(DeploymentRequested push) {
        EventEnvelope e = envelope(EventTypes.DEPLOYMENT_REQUESTED, push.repository().fullName(), push);
        send(Topics.DEPLOYMENT_REQUESTED, push.repository().fullName().toLowerCase(), e);
        return e;
    }

    static EventEnvelope sendStarted(String deploymentId, String key, Instant at) {
        EventEnvelope e = envelope(EventTypes.BUILD_STARTED, deploymentId, new BuildStarted(deploymentId, "worker-1", at));
        send(Topics.BUILD_STARTED, key, e);
        return e;
    }

    static EventEnvelope sendLogs(String deploymentId, List<BuildLogs.Line> lines) {
        EventEnvelope e = envelope(EventTypes.BUILD_LOGS, deploymentId, new BuildLogs(deploymentId, lines));
        send(Topics.BUILD_LOGS, deploymentId, e);
        return e;
    }

    /** A ready result without log_line_count, as a worker older than that field sends it. */
    static BuildCompleted ready(String deploymentId, Instant started, Instant ended, String digestHex) {
        return ready(deploymentId, started, ended, digestHex, null);
    }

    static BuildCompleted ready(String deploymentId, Instant started, Instant ended, String digestHex,
            Long logLineCount) {
        return new BuildCompleted(deploymentId, BuildCompleted.READY, null, started, ended,
                null, "3.11", "linux-x86_64", "python", "main.py",
                new ArtifactRef("sha256:" + digestHex, 12345, "c2lnbmF0dXJl", "ed25519-0123456789abcdef"),
                logLineCount);
    }

    /** A failed result without log_line_count. */
    static BuildCompleted failed(String deploymentId, String reason) {
        return failed(deploymentId, reason, null);
    }

    static BuildCompleted failed(String deploymentId, String reason, Long logLineCount) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return new BuildCompleted(deploymentId, BuildCompleted.FAILED, reason, now, now, null, null, null, null, null,
                null, logLineCount);
    }

    static EventEnvelope sendCompleted(BuildCompleted data, String key) {
        EventEnvelope e = envelope(EventTypes.BUILD_COMPLETED, data.deploymentId(), data);
        send(Topics.BUILD_COMPLETED, key, e);
        return e;
    }

    static JsonPath deployment(String id) {
        return as(KEY).get("/v2/deployments/" + id).then().statusCode(200).extract().jsonPath();
    }

    static List<Map<String, Object>> deploymentsOf(String key, String procedureId) {
        return as(key).queryParam("procedure_id", procedureId).queryParam("limit", 100).get("/v2/deployments")
                .then().statusCode(200).extract().jsonPath().getList("data");
    }

    /** Polls until {@code done} holds; fails with the last value otherwise. */
    static <T> T await(String what, Supplier<T> probe, Predicate<T> done) {
        long started = System.nanoTime();
        long deadline = started + WAIT.toNanos();
        T last = null;
        while (System.nanoTime() < deadline) {
            last = probe.get();
            if (done.test(last)) {
                long waited = Duration.ofNanos(System.nanoTime() - started).toMillis();
                if (waited > 5000) {
                    System.out.printf("%s: waited %d ms for %s%n", Instant.now(), waited, what);
                }
                return last;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("timed out waiting for " + what + "; last value: " + last);
    }

    static List<Map<String, Object>> awaitDeployments(String procedureId, int count) {
        return await(count + " deployments of " + procedureId, () -> deploymentsOf(KEY, procedureId),
                ds -> ds.size() >= count);
    }

    static JsonPath awaitStatus(String deploymentId, String status) {
        return await(deploymentId + " " + status, () -> deployment(deploymentId),
                d -> status.equals(d.getString("status")));
    }

    /**
     * Every deployment.events change published for the deployment so far: waits until the outbox holds none of its
     * events (the broker acknowledged all of them), then reads the topic up to its end offsets. Call it after the
     * events under test were handled (a marker on the same partition shows that), and a duplicate would show.
     */
    static List<String> publishedChanges(String deploymentId) {
        await("outbox rows of " + deploymentId + " relayed", () -> outboxRowsOf(deploymentId), n -> n == 0);
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BenchlineInfra.kafkaBootstrap());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<String> changes = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.DEPLOYMENT_EVENTS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + Topics.DEPLOYMENT_EVENTS + " to its end " + end);
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (deploymentId.equals(r.key())) {
                        changes.add(EventCodec.data(EventCodec.parse(r.value()), DeploymentEvent.class).change());
                    }
                }
            }
        }
        return changes;
    }

    static long outboxRowsOf(String deploymentId) {
        return inSession(s -> s.createNativeQuery("select count(*) from outbox where aggregate_id = ?1", Long.class)
                .setParameter(1, deploymentId).getSingleResult());
    }

    /** Runs a query in a session of the running service, on its Vert.x context. */
    static <T> T inSession(java.util.function.Function<org.hibernate.reactive.mutiny.Mutiny.Session, io.smallrye.mutiny.Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(() -> Panache.getSession().chain(s -> work.apply(s))));
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    static String digest() {
        return sha() + sha().substring(0, 24);
    }

    static String newDeliveryId() {
        return EventIds.withPrefix("dlv");
    }
}
