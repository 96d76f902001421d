package io.benchline.deployments;

import io.benchline.deployments.app.PushHandler;
import io.benchline.deployments.app.Reconciler;
import io.benchline.events.Commit;
import io.benchline.events.DeploymentEvent;
import io.benchline.events.DeploymentRequested;
import io.benchline.events.EventCodec;
import io.benchline.events.EventEnvelope;
import io.benchline.events.Topics;
import io.benchline.testsupport.BenchlineInfra;
import io.benchline.testsupport.LogCapture;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Constants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.benchline.deployments.TestSupport.KEY;
import static io.benchline.deployments.TestSupport.as;
import static io.benchline.deployments.TestSupport.deploymentsOf;
import static io.benchline.deployments.TestSupport.inSession;
import static io.benchline.deployments.TestSupport.newDeliveryId;
import static io.benchline.deployments.TestSupport.orgId;
import static io.benchline.deployments.TestSupport.outboxRowsOf;
import static io.benchline.deployments.TestSupport.procedureBody;
import static io.benchline.deployments.TestSupport.sendPush;
import static io.benchline.deployments.TestSupport.sha;
import static io.benchline.deployments.TestSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The reconciler for missed pushes against real git repositories ({@code file://}, made here with JGit), PostgreSQL
 * and Kafka: a commit whose webhook is dropped is built once (trigger auto, reconciled), its late webhook and a
 * redelivery build nothing, a delivered webhook is not built again, disabled procedures and excluded branches are
 * left alone, a failing remote records its error while the others go on, and concurrent passes make one deployment.
 * Every "nothing more happened" is asserted after a positive signal: a later pass finished, the push was handled.
 */
@QuarkusTest
@TestProfile(ReconcilerTest.Reconciling.class)
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = "benchline_deployments"),
        @ResourceArg(name = "kafka", value = "true")})
class ReconcilerTest {
    static final Duration WAIT = Duration.ofSeconds(90);

    /** File URLs and local hosts allowed (as in the local stack), short ticks, intervals and timeouts. */
    public static class Reconciling implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("benchline.repositories.allow-file", "true",
                    "benchline.repositories.allow-private-hosts", "true",
                    "benchline.repositories.allowed-schemes", "https,ssh,http",
                    "benchline.reconcile.tick", "300ms",
                    "benchline.reconcile.min-interval", "1s",
                    "benchline.reconcile.timeout", "2s");
        }
    }

    private final List<String> enabled = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> closing = new ArrayList<>();

    /** Procedures left enabled would be reconciled by the next test class's application too. */
    @AfterEach
    void disableAndClose() throws Exception {
        for (String id : enabled) {
            as(KEY).body(Map.of("reconcile", Map.of("enabled", false))).patch("/v2/procedures/" + id)
                    .then().statusCode(200);
        }
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    @Test
    void aDroppedWebhookIsBuiltOnceAndItsLateWebhookAndARedeliveryBuildNothing() throws Exception {
        GitRepo repo = repo("dropped");
        repo.commit("main", "first");
        String token = "ghp_" + unique("reconcile").replace("-", "");
        try (LogCapture logs = LogCapture.start()) {
            Map<String, Object> body = procedureBody(unique("proc"), repo.url());
            ((Map<String, Object>) body.get("repository")).put("credentials", Map.of("type", "token", "token", token));
            body.put("reconcile", Map.of("enabled", true, "interval", "1s"));
            JsonPath created = as(KEY).body(body).post("/v2/procedures").then().statusCode(201).extract().jsonPath();
            String id = created.getString("id");
            enabled.add(id);
            assertThat(created.getBoolean("reconcile.enabled")).isTrue();
            assertThat(created.getString("reconcile.interval")).isEqualTo("1s");

            // The first pass records the heads as they are and builds nothing: the first commit had its chance.
            Instant baseline = awaitPassAfter(id, null);
            assertThat(deploymentsOf(KEY, id)).isEmpty();

            String second = repo.commit("main", "second");  // its webhook never arrives
            Map<String, Object> d = await().atMost(WAIT).until(() -> deploymentOf(id, second), x -> x != null);
            assertThat(d.get("trigger")).isEqualTo("auto");
            assertThat(d.get("reconciled")).isEqualTo(true);
            assertThat(d.get("environment")).isEqualTo("production");
            assertThat(d.get("status")).isEqualTo("pending");
            assertThat(((Map<?, ?>) d.get("commit")).get("branch")).isEqualTo("main");
            String depId = (String) d.get("id");
            assertThat(Instant.parse((String) d.get("created_at"))).isAfter(baseline);

            // Later passes see the same head built: still one deployment.
            Instant after = awaitPassAfter(id, Instant.parse((String) d.get("created_at")));
            awaitPassAfter(id, after);
            assertThat(deploymentsOf(KEY, id)).hasSize(1);

            // Its events say reconciled; build.requested names the credentials by reference only.
            assertThat(lifecycle(depId)).singleElement().satisfies(e -> {
                assertThat(e.change()).isEqualTo(DeploymentEvent.CREATED);
                assertThat(e.reconciled()).isTrue();
                assertThat(e.trigger()).isEqualTo("auto");
            });

            // The webhook arrives late: it claims the reconciled deployment instead of building again.
            DeploymentRequested push = push(repo, newDeliveryId(), "main", second);
            EventEnvelope late = sendPush(push);
            await().atMost(WAIT).until(() -> deliveryIdOf(depId), push.deliveryId()::equals);
            assertThat(processed(late.id())).isTrue();
            assertThat(deploymentsOf(KEY, id)).hasSize(1);

            // A redelivery of it (same delivery id, a new event id) builds nothing either.
            EventEnvelope again = sendPush(push);
            assertThat(again.id()).isNotEqualTo(late.id());
            await().atMost(WAIT).until(() -> processed(again.id()));
            List<Map<String, Object>> all = deploymentsOf(KEY, id);
            assertThat(all).hasSize(1);
            assertThat(all.get(0).get("id")).isEqualTo(depId);

            // A later commit pushed with its webhook on time builds as ever, and only once.
            String third = repo.commit("main", "third");
            sendPush(push(repo, newDeliveryId(), "main", third));
            Map<String, Object> pushed = await().atMost(WAIT).until(() -> deploymentOf(id, third), x -> x != null);
            Instant pushedAt = Instant.parse((String) pushed.get("created_at"));
            awaitPassAfter(id, awaitPassAfter(id, pushedAt));
            assertThat(deploymentsOf(KEY, id)).hasSize(2);

            assertThat(logs.text()).contains("audit: repository credentials of " + id).doesNotContain(token);
        }
    }

    @Test
    void aDeliveredWebhookIsNotBuiltAgainByTheReconciler() throws Exception {
        GitRepo repo = repo("delivered");
        repo.commit("main", "first");
        String id = create(repo, Map.of("enabled", true, "interval", "1h"));
        awaitPassAfter(id, null);

        // The webhook arrives before any pass saw the commit (the next pass is an hour away).
        String second = repo.commit("main", "second");
        sendPush(push(repo, newDeliveryId(), "main", second));
        Map<String, Object> pushed = await().atMost(WAIT).until(() -> deploymentOf(id, second), x -> x != null);
        assertThat(pushed.get("reconciled")).isEqualTo(false);

        // Passes every second from now: they see the new head, find it built, and build nothing.
        Instant patched = Instant.now();
        as(KEY).body(Map.of("reconcile", Map.of("interval", "1s"))).patch("/v2/procedures/" + id)
                .then().statusCode(200).body("reconcile.interval", org.hamcrest.Matchers.equalTo("1s"));
        awaitPassAfter(id, awaitPassAfter(id, patched));
        List<Map<String, Object>> all = deploymentsOf(KEY, id);
        assertThat(all).hasSize(1);
        assertThat(all.get(0).get("reconciled")).isEqualTo(false);
        assertThat(all.get(0).get("id")).isEqualTo(pushed.get("id"));
    }

    @Test
    void newBranchesBuildAsPreviewsExcludedOnesAndDisabledProceduresAreLeftAlone() throws Exception {
        GitRepo repo = repo("branches");
        repo.commit("main", "first");
        JsonPath disabled = as(KEY).body(procedureBody(unique("proc"), repo.url())).post("/v2/procedures")
                .then().statusCode(201).extract().jsonPath();
        assertThat(disabled.getBoolean("reconcile.enabled")).isFalse();
        assertThat(disabled.getString("reconcile.interval")).isEqualTo("5m");
        Map<String, Object> body = procedureBody(unique("proc"), repo.url());
        body.put("excluded_branches", List.of("wip/*"));
        body.put("reconcile", Map.of("enabled", true, "interval", "1s"));
        String id = as(KEY).body(body).post("/v2/procedures").then().statusCode(201).extract().path("id");
        enabled.add(id);
        awaitPassAfter(id, null);

        String feature = repo.commit("feature-x", "a feature");
        repo.commit("wip/draft", "not yet");
        Map<String, Object> d = await().atMost(WAIT).until(() -> deploymentOf(id, feature), x -> x != null);
        assertThat(d.get("environment")).isEqualTo("preview");
        assertThat(((Map<?, ?>) d.get("commit")).get("branch")).isEqualTo("feature-x");
        assertThat(d.get("reconciled")).isEqualTo(true);

        awaitPassAfter(id, awaitPassAfter(id, Instant.parse((String) d.get("created_at"))));
        assertThat(deploymentsOf(KEY, id)).hasSize(1);
        String disabledId = disabled.getString("id");
        assertThat(deploymentsOf(KEY, disabledId)).isEmpty();
        JsonPath untouched = procedure(disabledId);
        assertThat(untouched.getString("reconcile.last_reconciled_at")).isNull();
        assertThat(untouched.getString("reconcile.last_error")).isNull();
        assertThat(headsRecorded(disabledId)).isZero();
    }

    @Test
    void aFailingRemoteRecordsItsErrorAndTheOthersStillReconcile() throws Exception {
        String missing = create("file:///nonexistent-" + unique("gone") + "/repo.git",
                Map.of("enabled", true, "interval", "1s"));
        SilentServer silent = new SilentServer();
        closing.add(silent);
        String slow = create("http://127.0.0.1:" + silent.port() + "/acme/rig.git",
                Map.of("enabled", true, "interval", "1s"));
        GitRepo repo = repo("healthy");
        repo.commit("main", "first");
        String healthy = create(repo, Map.of("enabled", true, "interval", "1s"));

        JsonPath gone = await().atMost(WAIT).until(() -> procedure(missing),
                p -> p.getString("reconcile.last_error.message") != null);
        assertThat(gone.getString("reconcile.last_error.message")).contains("ls-remote of file:///nonexistent-");
        assertThat(gone.getString("reconcile.last_error.at")).isNotNull();
        assertThat(gone.getString("reconcile.last_reconciled_at")).isNull();
        JsonPath timedOut = await().atMost(WAIT).until(() -> procedure(slow),
                p -> p.getString("reconcile.last_error.message") != null);
        assertThat(timedOut.getString("reconcile.last_error.message")).contains("127.0.0.1").containsIgnoringCase("time");

        // Meanwhile the healthy procedure, in the same passes, goes on.
        awaitPassAfter(healthy, null);
        String second = repo.commit("main", "second");
        await().atMost(WAIT).until(() -> deploymentOf(healthy, second), x -> x != null);
        assertThat(procedure(missing).getString("reconcile.last_error.message")).isNotNull();

        // Pointed at a repository that exists, the next pass succeeds and clears the error.
        as(KEY).body(Map.of("repository", Map.of("clone_url", repo("found").init().url())))
                .patch("/v2/procedures/" + missing).then().statusCode(200);
        JsonPath fixed = await().atMost(WAIT).until(() -> procedure(missing),
                p -> p.getString("reconcile.last_reconciled_at") != null);
        assertThat(fixed.getString("reconcile.last_error")).isNull();
    }

    @Test
    void concurrentPassesMakeOneDeployment() throws Exception {
        GitRepo repo = repo("concurrent");
        repo.commit("main", "first");
        String id = create(repo, Map.of("enabled", true, "interval", "1h"));
        awaitPassAfter(id, null);
        String second = repo.commit("main", "second");
        // Due now, for the scheduled passes below (and for the job's own, which may join them).
        inTransaction(s -> s.createNativeQuery("update procedures set reconcile_next_at = now() where id = ?1")
                .setParameter(1, id).executeUpdate());

        Reconciler reconciler = Arc.container().instance(Reconciler.class).get();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<Reconciler.Outcome>>> runs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                boolean scheduledPass = i % 2 == 0;
                runs.add(threads.submit(() -> {
                    start.await();
                    try {
                        return VertxContextSupport.subscribeAndAwait(() -> scheduledPass ? reconciler.pass()
                                : reconciler.reconcileNow(id));
                    } catch (Throwable t) {
                        throw new IllegalStateException(t);
                    }
                }));
            }
            start.countDown();
            long made = 0;
            for (Future<List<Reconciler.Outcome>> run : runs) {
                made += run.get().stream().filter(o -> o.procedureId().equals(id))
                        .mapToLong(o -> o.created().size()).sum();
            }
            assertThat(made).isLessThanOrEqualTo(1);
        } finally {
            threads.shutdownNow();
        }
        await().atMost(WAIT).until(() -> deploymentOf(id, second), x -> x != null);
        assertThat(deploymentsOf(KEY, id)).hasSize(1);
    }

    // --- helpers

    private GitRepo repo(String name) throws IOException {
        GitRepo repo = new GitRepo(Files.createTempDirectory("reconcile-" + name));
        closing.add(repo);
        return repo;
    }

    private String create(GitRepo repo, Map<String, Object> reconcile) throws Exception {
        return create(repo.url(), reconcile);
    }

    private String create(String url, Map<String, Object> reconcile) {
        Map<String, Object> body = procedureBody(unique("proc"), url);
        body.put("reconcile", reconcile);
        String id = as(KEY).body(body).post("/v2/procedures").then().statusCode(201).extract().path("id");
        enabled.add(id);
        return id;
    }

    static JsonPath procedure(String id) {
        return as(KEY).get("/v2/procedures/" + id).then().statusCode(200).extract().jsonPath();
    }

    /** Waits until a pass of the procedure succeeded after {@code after} (any pass when null); returns its time. */
    static Instant awaitPassAfter(String id, Instant after) {
        String at = await().atMost(WAIT).until(() -> procedure(id).getString("reconcile.last_reconciled_at"),
                t -> t != null && (after == null || Instant.parse(t).isAfter(after)));
        return Instant.parse(at);
    }

    static Map<String, Object> deploymentOf(String procedureId, String sha) {
        return deploymentsOf(KEY, procedureId).stream()
                .filter(d -> sha.equals(((Map<?, ?>) d.get("commit")).get("sha"))).findFirst().orElse(null);
    }

    static <T> T inTransaction(java.util.function.Function<org.hibernate.reactive.mutiny.Mutiny.Session,
            io.smallrye.mutiny.Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(() -> io.quarkus.hibernate.reactive.panache.Panache
                    .withTransaction(() -> io.quarkus.hibernate.reactive.panache.Panache.getSession()
                            .chain(s -> work.apply(s))));
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    static String deliveryIdOf(String deploymentId) {
        return inSession(s -> s.createNativeQuery("select delivery_id from deployments where id = ?1", String.class)
                .setParameter(1, deploymentId).getSingleResult());
    }

    static boolean processed(String eventId) {
        return inSession(s -> s.createNativeQuery(
                        "select count(*) from processed_events where event_id = ?1 and consumer = ?2", Long.class)
                .setParameter(1, eventId).setParameter(2, PushHandler.CONSUMER).getSingleResult()) > 0;
    }

    static long headsRecorded(String procedureId) {
        return inSession(s -> s.createNativeQuery("select count(*) from reconcile_heads where procedure_id = ?1",
                Long.class).setParameter(1, procedureId).getSingleResult());
    }

    /** A GitHub-shaped push of the local repository, as webhook-service normalizes it. */
    static DeploymentRequested push(GitRepo repo, String deliveryId, String branch, String commitSha) {
        String fullName = "local/" + repo.dir().getFileName();
        return new DeploymentRequested("github", deliveryId, "hk_test", orgId(),
                new DeploymentRequested.Repository(fullName, repo.url(), null, null),
                "refs/heads/" + branch, "branch", branch, sha(), commitSha, commitSha,
                new Commit(commitSha, "a commit", "Ada <ada@example.com>", branch, Instant.now()),
                false, false, false, "ada", 1);
    }

    /** Every deployment.events record of the deployment, read to the end once the outbox relayed them all. */
    static List<DeploymentEvent> lifecycle(String deploymentId) {
        await().atMost(WAIT).until(() -> outboxRowsOf(deploymentId) == 0);
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BenchlineInfra.kafkaBootstrap());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<DeploymentEvent> events = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.DEPLOYMENT_EVENTS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                assertThat(System.nanoTime()).as("read deployment.events to its end").isLessThan(deadline);
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (deploymentId.equals(r.key())) {
                        events.add(EventCodec.data(EventCodec.parse(r.value()), DeploymentEvent.class));
                    }
                }
            }
        }
        return events;
    }

    /** A git repository in a temporary directory, committed to with JGit. */
    record GitRepo(Path dir) implements AutoCloseable {
        String url() {
            return "file://" + dir.toAbsolutePath();
        }

        GitRepo init() throws Exception {
            try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
                return this;
            }
        }

        /** Commits a change on the branch (created from the current head when new); returns the commit id. */
        String commit(String branch, String message) throws Exception {
            try (Git git = Files.exists(dir.resolve(".git")) ? Git.open(dir.toFile())
                    : Git.init().setDirectory(dir.toFile()).setInitialBranch(branch).call()) {
                boolean exists = git.getRepository().exactRef(Constants.R_HEADS + branch) != null;
                boolean born = git.getRepository().resolve(Constants.HEAD) != null;
                if (born && !branch.equals(git.getRepository().getBranch())) {
                    git.checkout().setName(branch).setCreateBranch(!exists).call();
                }
                Files.writeString(dir.resolve("procedure.yaml"), "name: rig\nruntime: \"python 3.11\"\n"
                        + "entry_point: main.py\n");
                Files.writeString(dir.resolve("main.py"), "print(" + ('"' + message + '"') + ")\n");
                git.add().addFilepattern(".").call();
                return git.commit().setMessage(message).setAuthor("Ada", "ada@example.com")
                        .setCommitter("Ada", "ada@example.com").setSign(false).call().getName();
            }
        }

        @Override
        public void close() throws IOException {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Accepts connections and never answers: a remote that hangs. */
    static final class SilentServer implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> held = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        SilentServer() throws IOException {
            acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        held.add(server.accept());
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "silent-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
