package io.benchline.stations;

import io.benchline.common.auth.IntrospectingApiKeyVerifier;
import io.benchline.events.EventEnvelope;
import io.benchline.events.EventIds;
import io.benchline.events.PointerMoved;
import io.benchline.stack.Ports;
import io.benchline.stack.ProcessSupervisor;
import io.benchline.testsupport.BenchlineInfra;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.benchline.stations.TestSupport.await;
import static io.benchline.stations.TestSupport.count;
import static io.benchline.stations.TestSupport.execute;
import static io.benchline.stations.TestSupport.insertLinkedStations;
import static io.benchline.stations.TestSupport.movesTo;
import static io.benchline.stations.TestSupport.ready;
import static io.benchline.stations.TestSupport.row;
import static io.benchline.stations.TestSupport.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged station-dispatcher, killed with SIGKILL in the middle of a 10,000-station fan-out and started
 * again: every station ends on the new deployment, none is moved twice, and an agent that long-polls with the
 * ETag it had before the crash gets what it missed.
 */
class FanOutKillIT {
    private static final int STATIONS = 10_000;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static ProcessSupervisor supervisor;
    private static FakePeers peers;
    private static Map<String, String> peerConfig;
    private static Path work;
    private static int port;

    @BeforeAll
    static void startServers() throws Exception {
        BenchlineInfra.ensureStarted(true, true, false);
        BenchlineInfra.postgres().createDatabase(TestSupport.DATABASE);
        peers = new FakePeers();
        peerConfig = peers.start();
        work = Files.createTempDirectory("dispatcher-kill-it");
        supervisor = new ProcessSupervisor(work.resolve("run"));
        port = Ports.free();
    }

    @AfterAll
    static void stopServers() {
        if (supervisor != null) {
            supervisor.close();
        }
        if (peers != null) {
            peers.stop();
        }
    }

    private static ProcessSupervisor.Child startDispatcher(int run) {
        Map<String, String> env = new HashMap<>();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("KAFKA_BOOTSTRAP_SERVERS", BenchlineInfra.kafkaBootstrap());
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", BenchlineInfra.postgres().reactiveUrl(TestSupport.DATABASE));
        env.put("QUARKUS_DATASOURCE_JDBC_URL", BenchlineInfra.jdbcUrl(TestSupport.DATABASE));
        env.put("QUARKUS_DATASOURCE_USERNAME", BenchlineInfra.dbUser());
        env.put("QUARKUS_DATASOURCE_PASSWORD", BenchlineInfra.dbPassword());
        env.put("BENCHLINE_AUTH_INTERNAL_TOKEN", BenchlineInfra.INTERNAL_TOKEN);
        env.put("BENCHLINE_AUTH_DEPLOYMENT_SERVICE_URL", peerConfig.get("benchline.auth.deployment-service-url"));
        env.put("BENCHLINE_SERVICES_DEPLOYMENT_URL", peerConfig.get("benchline.services.deployment-url"));
        env.put("BENCHLINE_SERVICES_ARTIFACT_URL", peerConfig.get("benchline.services.artifact-url"));
        // Small chunks, so the fan-out is many commits long and the kill lands in the middle of it.
        env.put("BENCHLINE_DISPATCHER_FANOUT_CHUNK_SIZE", "100");
        ProcessSupervisor.Child child = supervisor.startJava("station-dispatcher-" + run,
                List.of("-Xmx256m", "-XX:+UseSerialGC"), Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath()
                        .toString(), "io.quarkus.bootstrap.runner.QuarkusEntryPoint", List.of(), env,
                work.resolve("dispatcher-" + run + ".log"));
        await("station-dispatcher run " + run + " ready", () -> status("/q/health/ready", null, null) == 200);
        return child;
    }

    private static int status(String path, String token, String etag) {
        try {
            return get(path, token, etag).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static HttpResponse<String> get(String path, String token, String etag) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (etag != null) {
            request.header("If-None-Match", etag);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void killedMidFanOutResumesWithNoMoveLostOrMadeTwice() throws Exception {
        ProcessSupervisor.Child first = startDispatcher(1);
        String procedure = EventIds.withPrefix("prc");
        FakePeers.PROCEDURES.put(procedure, FakePeers.ORG_ID);
        String prefix = insertLinkedStations(procedure, STATIONS);
        // One more station whose agent long-polls across the crash; its id sorts after all the others.
        String watched = prefix + "z";
        String token = "bst_kill_it_" + EventIds.next();
        execute("insert into stations (id, org_id, name, agent_token_hash, created_at) values (?, ?, ?, ?, now())",
                watched, FakePeers.ORG_ID, watched, IntrospectingApiKeyVerifier.sha256(token));
        execute("insert into links (station_id, procedure_id, environment, created_at) values (?, ?, 'production', now())",
                watched, procedure);
        execute("insert into pointers (station_id, procedure_id) values (?, ?)", watched, procedure);
        HttpResponse<String> before = get("/agent/v1/assignments", token, null);
        assertThat(before.statusCode()).isEqualTo(200);
        String etagBefore = before.headers().firstValue("ETag").orElseThrow();

        String deployment = EventIds.withPrefix("dep");
        EventEnvelope event = send(ready(procedure, deployment, 1, "production", null));
        await("fan-out under way", () -> {
            List<Object> job = row("select moved from fanout_jobs where deployment_id = ?", deployment);
            return job != null && ((Number) job.get(0)).longValue() >= 2_000;
        });
        first.process().toHandle().destroyForcibly();
        first.process().waitFor();
        List<Object> cut = row("select moved, finished_at from fanout_jobs where deployment_id = ?", deployment);
        assertThat(((Number) cut.get(0)).longValue()).as("moved before the kill").isLessThan(STATIONS);
        assertThat(cut.get(1)).as("the job was not finished when the process died").isNull();

        ProcessSupervisor.Child second = startDispatcher(2);

        // The ETag is derived from the state, so the agent's tag from before the crash is simply stale.
        HttpResponse<String> missed = get("/agent/v1/assignments?wait=60", token, etagBefore);
        assertThat(missed.statusCode()).isEqualTo(200);
        assertThat(missed.body()).contains(deployment);
        assertThat(missed.headers().firstValue("ETag").orElseThrow()).isNotEqualTo(etagBefore);

        await("every pointer at " + deployment, () -> count(
                "select count(*) from pointers where deployment_id = ?", deployment) == STATIONS + 1);
        assertThat(count("select count(*) from pointers where station_id like ? || '%' and pointer_version <> 1",
                prefix)).isZero();
        assertThat(count("select count(*) from processed_events where event_id = ?", event.id())).isEqualTo(1);

        Map<String, List<PointerMoved>> moves = movesTo(deployment, STATIONS + 1, Duration.ofMinutes(3));
        assertThat(moves).hasSize(STATIONS + 1);
        assertThat(moves.values()).allSatisfy(events -> {
            assertThat(events).as("distinct events of one station's move").hasSize(1);
            assertThat(events.get(0).pointerVersion()).isEqualTo(1);
        });
        supervisor.stop(second);
    }

    /**
     * A rollout's stage wait lives in its row: the dispatcher killed with SIGKILL during the wait and started again
     * advances the rollout once the wait is over, exactly once, and completes it.
     */
    @Test
    void killedDuringARolloutsWaitAdvancesItAfterTheRestart() throws Exception {
        ProcessSupervisor.Child first = startDispatcher(3);
        String procedure = EventIds.withPrefix("prc");
        FakePeers.PROCEDURES.put(procedure, FakePeers.ORG_ID);
        insertLinkedStations(procedure, 50);
        String previous = EventIds.withPrefix("dep");
        send(ready(procedure, previous, 1, "production", null));
        await("50 stations on " + previous, () -> count(
                "select count(*) from pointers where deployment_id = ?", previous) == 50);
        String next = EventIds.withPrefix("dep");
        io.benchline.events.DeploymentEvent r = ready(procedure, next, 2, "production", null);
        EventEnvelope noAutoPush = send(new io.benchline.events.DeploymentEvent(r.change(), r.deploymentId(),
                r.orgId(), r.procedureId(), r.sequence(), r.environment(), r.trigger(), r.status(), null, r.commitSha(),
                false, r.artifact()));
        await("the ready event handled", () -> count("select count(*) from processed_events where event_id = ?",
                noAutoPush.id()) == 1);

        HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/v2/rollouts")).header("Authorization", "Bearer " + FakePeers.API_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"deployment_id\":\"" + next + "\",\"stages\":"
                        + "[{\"percent\":10},{\"percent\":100}],\"wait\":\"20s\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String rollout = io.benchline.events.EventCodec.mapper().readTree(created.body()).get("id").asText();
        await("the first stage's 5 stations on " + next, () -> count(
                "select count(*) from pointers where deployment_id = ?", next) == 5);
        first.process().toHandle().destroyForcibly();
        first.process().waitFor();
        assertThat(row("select state, stage from rollouts where id = ?", rollout)).containsExactly("running", 0);

        ProcessSupervisor.Child second = startDispatcher(4);
        await("the rollout completed after the restart", () -> "completed".equals(
                row("select state from rollouts where id = ?", rollout).get(0)));
        await("every station on " + next, () -> count(
                "select count(*) from pointers where deployment_id = ?", next) == 50);
        assertThat(count("select count(*) from rollout_history where rollout_id = ? and action = 'advanced'",
                rollout)).as("advanced once").isEqualTo(1);
        assertThat(row("select count(*) from rollout_history where rollout_id = ? and action = 'advanced'"
                + " and actor_name = 'benchline' and note like '%wait%'", rollout).get(0)).isEqualTo(1L);
        supervisor.stop(second);
    }
}
