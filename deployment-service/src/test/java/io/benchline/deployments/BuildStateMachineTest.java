package io.benchline.deployments;

import io.benchline.events.BuildCompleted;
import io.benchline.events.BuildLogs;
import io.benchline.events.DeploymentEvent;
import io.benchline.events.EventCodec;
import io.benchline.events.EventSchemas;
import io.benchline.events.Topics;
import io.benchline.testsupport.BenchlineInfra;
import io.benchline.testsupport.KafkaTestClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.benchline.deployments.TestSupport.at;
import static io.benchline.deployments.TestSupport.logs;
import static io.benchline.deployments.TestSupport.pendingDeployment;
import static io.benchline.deployments.TestSupport.KEY;
import static io.benchline.deployments.TestSupport.WAIT;
import static io.benchline.deployments.TestSupport.as;
import static io.benchline.deployments.TestSupport.awaitStatus;
import static io.benchline.deployments.TestSupport.createProcedure;
import static io.benchline.deployments.TestSupport.deployment;
import static io.benchline.deployments.TestSupport.digest;
import static io.benchline.deployments.TestSupport.failed;
import static io.benchline.deployments.TestSupport.ready;
import static io.benchline.deployments.TestSupport.sendCompleted;
import static io.benchline.deployments.TestSupport.sendLogs;
import static io.benchline.deployments.TestSupport.sendStarted;
import static io.benchline.deployments.TestSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invariant 2 on a real broker: pending → building → ready | failed, final states final, late, duplicate and
 * reordered build events change nothing. A later event for a second deployment sent with the same Kafka key
 * (same partition, handled in order) shows that an ignored event really was handled.
 */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = "benchline_deployments"),
        @ResourceArg(name = "kafka", value = "true")})
class BuildStateMachineTest {

    private static String procedure() {
        return createProcedure(KEY, "acme/" + unique("sm"), Map.of()).getString("id");
    }

    private static BuildLogs.Line line(long n, Instant t, String level, String text) {
        return new BuildLogs.Line(n, t, level, text);
    }

    @Test
    void startedLogsCompletedMakeAReadyDeploymentWithItsArtifactAndLogs() {
        String procedureId = procedure();
        String id = pendingDeployment(procedureId);
        Instant started = at(30);
        Instant ended = at(5);
        String hex = digest();

        sendStarted(id, id, started);
        JsonPath building = awaitStatus(id, "building");
        assertThat(Instant.parse(building.getString("started_at"))).isEqualTo(started);
        assertThat(building.getString("ended_at")).isNull();

        // second batch first: lines are returned by number whatever order the batches arrive in
        sendLogs(id, List.of(line(4, at(10), "info", "packing"), line(5, at(9), "error", "a warning, really")));
        Instant firstLineAt = at(29);
        sendLogs(id, List.of(line(1, firstLineAt, "info", "cloning https://github.com/acme/x.git"),
                line(2, at(28), "info", "checked out"), line(3, at(27), null, "installing")));
        sendCompleted(ready(id, started, ended, hex, 5L), id);

        JsonPath d = awaitStatus(id, "ready");
        assertThat(d.getString("runtime_version")).isEqualTo("3.11");
        assertThat(d.getString("platform")).isEqualTo("linux-x86_64");
        assertThat(d.getString("language")).isEqualTo("python");
        assertThat(d.getLong("artifact_size_bytes")).isEqualTo(12345);
        assertThat(d.getString("artifact.digest")).isEqualTo("sha256:" + hex);
        assertThat(d.getString("artifact.signature")).isEqualTo("c2lnbmF0dXJl");
        assertThat(d.getString("artifact.key_id")).isEqualTo("ed25519-0123456789abcdef");
        assertThat(Instant.parse(d.getString("started_at"))).isEqualTo(started);
        assertThat(Instant.parse(d.getString("ended_at"))).isEqualTo(ended);
        assertThat(d.getLong("build_duration_ms")).isEqualTo(ended.toEpochMilli() - started.toEpochMilli());
        assertThat(d.getString("failure_reason")).isNull();

        List<Map<String, Object>> lines = TestSupport.await("5 log lines", () -> logs(id), l -> l.size() >= 5);
        assertThat(lines).extracting(l -> ((Number) l.get("number")).longValue()).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(lines).extracting(l -> l.get("text")).containsExactly("cloning https://github.com/acme/x.git",
                "checked out", "installing", "packing", "a warning, really");
        assertThat(lines).extracting(l -> l.get("level")).containsExactly("info", "info", "info", "info", "error");
        assertThat(Instant.parse((String) lines.get(0).get("timestamp"))).isEqualTo(firstLineAt);
        // paging on from a line number
        List<Map<String, Object>> after3 = as(KEY).queryParam("after", 3).get("/v2/deployments/" + id + "/logs")
                .then().statusCode(200).extract().jsonPath().getList("data");
        assertThat(after3).extracting(l -> ((Number) l.get("number")).longValue()).containsExactly(4L, 5L);

        // deployment.events: created, building, ready — each valid against its schema, and on Kafka within
        // seconds (the outbox relay also runs in the first minute after start)
        long readStart = System.nanoTime();
        List<ConsumerRecord<String, String>> events = KafkaTestClient.readUntil(Topics.DEPLOYMENT_EVENTS,
                rs -> rs.stream().filter(r -> id.equals(r.key())).count() >= 3, WAIT);
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - readStart)).isLessThan(java.time.Duration.ofSeconds(20));
        List<DeploymentEvent> mine = events.stream().filter(r -> id.equals(r.key())).peek(r ->
                assertThat(EventSchemas.validate(r.value())).isEmpty())
                .map(r -> EventCodec.data(EventCodec.parse(r.value()), DeploymentEvent.class)).toList();
        assertThat(mine).extracting(DeploymentEvent::change).containsExactly(DeploymentEvent.CREATED,
                DeploymentEvent.BUILDING, DeploymentEvent.READY);
        DeploymentEvent readyEvent = mine.get(2);
        assertThat(readyEvent.status()).isEqualTo("ready");
        assertThat(readyEvent.artifact().digest()).isEqualTo("sha256:" + hex);
        assertThat(readyEvent.artifact().sizeBytes()).isEqualTo(12345);
        assertThat(readyEvent.environment()).isEqualTo("preview");
    }

    @Test
    void aCompletedThatOvertakesItsStartedEndsReadyAndTheLateStartedChangesNothing() {
        String procedureId = procedure();
        String id = pendingDeployment(procedureId);
        String marker = pendingDeployment(procedureId);
        Instant started = at(20);
        Instant ended = at(2);

        sendCompleted(ready(id, started, ended, digest()), id);
        JsonPath d = awaitStatus(id, "ready");
        assertThat(Instant.parse(d.getString("started_at"))).isEqualTo(started);

        sendStarted(id, id, at(1));
        sendStarted(marker, id, at(1)); // same key: handled after the late one
        awaitStatus(marker, "building");

        JsonPath after = deployment(id);
        assertThat(after.getString("status")).isEqualTo("ready");
        assertThat(after.getString("started_at")).isEqualTo(d.getString("started_at"));
        assertThat(after.getString("ended_at")).isEqualTo(d.getString("ended_at"));

        List<ConsumerRecord<String, String>> events = KafkaTestClient.readUntil(Topics.DEPLOYMENT_EVENTS,
                rs -> rs.stream().anyMatch(r -> marker.equals(r.key()) && r.value().contains("\"building\""))
                        && rs.stream().anyMatch(r -> id.equals(r.key()) && r.value().contains("\"ready\"")), WAIT);
        assertThat(events.stream().filter(r -> id.equals(r.key()))
                .map(r -> EventCodec.data(EventCodec.parse(r.value()), DeploymentEvent.class).change()))
                .as("no building event after ready").containsExactly(DeploymentEvent.CREATED, DeploymentEvent.READY);
    }

    @Test
    void finalStatesAreFinal() {
        String procedureId = procedure();
        String ready = pendingDeployment(procedureId);
        String failedOne = pendingDeployment(procedureId);
        String marker = pendingDeployment(procedureId);
        String hex = digest();

        sendStarted(ready, ready, at(10));
        awaitStatus(ready, "building");
        sendCompleted(ready(ready, at(10), at(3), hex), ready);
        JsonPath before = awaitStatus(ready, "ready");

        sendCompleted(failed(failedOne, "procedure.yaml is invalid: name is required"), failedOne);
        JsonPath failedBefore = awaitStatus(failedOne, "failed");
        assertThat(failedBefore.getString("failure_reason")).isEqualTo("procedure.yaml is invalid: name is required");
        assertThat(failedBefore.getString("artifact")).isNull();

        // a failed after ready, a second ready with another artifact, a ready after failed, a duplicate
        var first = sendCompleted(failed(ready, "late failure"), ready);
        sendCompleted(ready(ready, at(2), at(1), digest()), ready);
        sendCompleted(ready(failedOne, at(2), at(1), digest()), ready);
        TestSupport.send(Topics.BUILD_COMPLETED, ready, first);
        sendCompleted(failed(marker, "marker"), ready);
        awaitStatus(marker, "failed");
        // a late started for a failed deployment, then a started for a pending one on the same partition
        String marker2 = pendingDeployment(procedureId);
        sendStarted(failedOne, failedOne, at(1));
        sendStarted(marker2, failedOne, at(1));
        awaitStatus(marker2, "building");

        JsonPath after = deployment(ready);
        assertThat(after.getString("status")).isEqualTo("ready");
        assertThat(after.getString("artifact.digest")).isEqualTo("sha256:" + hex);
        assertThat(after.getString("artifact.digest")).isEqualTo(before.getString("artifact.digest"));
        assertThat(after.getString("ended_at")).isEqualTo(before.getString("ended_at"));
        assertThat(after.getString("failure_reason")).isNull();
        JsonPath failedAfter = deployment(failedOne);
        assertThat(failedAfter.getString("status")).isEqualTo("failed");
        assertThat(failedAfter.getString("artifact")).isNull();
        assertThat(failedAfter.getString("failure_reason")).isEqualTo("procedure.yaml is invalid: name is required");

        // the filter agrees with the detail
        List<String> readyIds = as(KEY).queryParam("procedure_id", procedureId).queryParam("status", "ready")
                .get("/v2/deployments").then().statusCode(200).extract().jsonPath().getList("data.id");
        assertThat(readyIds).containsExactly(ready);
        assertThat(failedAfter.getString("started_at")).as("a late started changes nothing")
                .isEqualTo(failedBefore.getString("started_at"));
        assertThat(failedAfter.getString("ended_at")).isEqualTo(failedBefore.getString("ended_at"));
    }

    @Test
    void aBranchBuildLearnsItsCommitFromTheResult() {
        String id = as(KEY).body(Map.of("procedure_id", procedure(), "branch", "feature/x")).post("/v2/deployments")
                .then().statusCode(202).extract().path("id");
        assertThat(deployment(id).getString("commit.sha")).isNull();
        String sha = TestSupport.sha();
        BuildCompleted base = ready(id, at(3), at(1), digest());
        sendCompleted(new BuildCompleted(id, base.outcome(), null, base.startedAt(), base.endedAt(),
                new io.benchline.events.Commit(sha, "Resolved head", "Bob", "feature/x", null), base.runtimeVersion(),
                base.platform(), base.language(), base.entryPoint(), base.artifact(), null), id);
        JsonPath d = awaitStatus(id, "ready");
        assertThat(d.getString("commit.sha")).isEqualTo(sha);
        assertThat(d.getString("commit.message")).isEqualTo("Resolved head");
        assertThat(d.getString("commit.author")).isEqualTo("Bob");
        assertThat(d.getString("commit.branch")).isEqualTo("feature/x");
    }

    @Test
    void aReadyWithoutAnArtifactIsAFailure() {
        String id = pendingDeployment(procedure());
        Instant now = at(0);
        sendCompleted(new BuildCompleted(id, BuildCompleted.READY, null, now, now, null, "3.11", "any", "python",
                "main.py", null, null), id);
        JsonPath d = awaitStatus(id, "failed");
        assertThat(d.getString("failure_reason")).isNotBlank();
        assertThat(d.getString("artifact")).isNull();
    }

    @Test
    void redeliveredLogBatchesDoNotDuplicateLines() {
        String id = pendingDeployment(procedure());
        List<BuildLogs.Line> batch = List.of(line(1, at(5), "info", "one"), line(2, at(4), "info", "two"),
                line(3, at(3), "info", "three"));
        var sent = sendLogs(id, batch);
        TestSupport.send(Topics.BUILD_LOGS, id, sent);  // same event id again
        sendLogs(id, batch);                              // same lines under a new event id
        sendLogs(id, List.of(line(2, at(4), "info", "two (resent)"), line(4, at(2), "info", "four")));

        List<Map<String, Object>> lines = TestSupport.await("line 4", () -> logs(id), l -> l.size() >= 4);
        assertThat(lines).extracting(l -> l.get("text")).containsExactly("one", "two", "three", "four");
    }

    @Test
    void eventsForUnknownDeploymentsAreIgnored() {
        String unknown = "dep_00000000000000000000000001";
        String id = pendingDeployment(procedure());
        sendStarted(unknown, id, at(1));
        sendStarted(id, id, at(1));
        awaitStatus(id, "building");
        as(KEY).get("/v2/deployments/" + unknown).then().statusCode(404).contentType("application/problem+json");
        as(KEY).get("/v2/deployments/" + unknown + "/logs").then().statusCode(404);
    }

}
