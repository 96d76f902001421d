package io.benchline.deployments;

import io.benchline.deployments.app.DevelopmentSessions;
import io.benchline.events.BuildRequested;
import io.benchline.events.DeploymentEvent;
import io.benchline.events.EventCodec;
import io.benchline.events.EventIds;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.benchline.deployments.TestSupport.KEY;
import static io.benchline.deployments.TestSupport.WAIT;
import static io.benchline.deployments.TestSupport.as;
import static io.benchline.deployments.TestSupport.at;
import static io.benchline.deployments.TestSupport.await;
import static io.benchline.deployments.TestSupport.awaitStatus;
import static io.benchline.deployments.TestSupport.createProcedure;
import static io.benchline.deployments.TestSupport.digest;
import static io.benchline.deployments.TestSupport.failed;
import static io.benchline.deployments.TestSupport.orgId;
import static io.benchline.deployments.TestSupport.otherOrgId;
import static io.benchline.deployments.TestSupport.ready;
import static io.benchline.deployments.TestSupport.sendCompleted;
import static io.benchline.deployments.TestSupport.sendStarted;
import static io.benchline.deployments.TestSupport.sha;
import static io.benchline.deployments.TestSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deployments from an upload ({@code benchline deploy} and {@code dev}): artifact-store's upload record is
 * {@link FakeArtifactStore}'s, station-dispatcher's release is {@link FakeDispatcher}'s; PostgreSQL and Kafka are real.
 */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = "benchline_deployments"),
        @ResourceArg(name = "kafka", value = "true")})
class UploadDeploymentsTest {

    @Test
    void anUploadBecomesAPreviewWithoutBranchWhoseBuildReadsTheUpload() {
        String procedureId = createProcedure(KEY, "acme/" + unique("upload"), Map.of()).getString("id");
        String upload = storedUpload(orgId());
        String sha = sha();

        JsonPath created = as(KEY).body(Map.of("procedure_id", procedureId, "upload_id", upload,
                        "commit", Map.of("sha", sha, "message", "tune the limits", "author", "Ada")))
                .post("/v2/deployments").then().statusCode(202).extract().jsonPath();
        String id = created.getString("id");
        assertThat(created.getString("source")).isEqualTo("upload");
        assertThat(created.getString("upload_id")).isEqualTo(upload);
        assertThat(created.getString("environment")).isEqualTo("preview");
        assertThat(created.getString("trigger")).isEqualTo("manual");
        assertThat(created.getString("status")).isEqualTo("pending");
        assertThat(created.getString("commit.sha")).isEqualTo(sha);
        assertThat(created.getString("commit.message")).isEqualTo("tune the limits");
        assertThat(created.getString("commit.author")).isEqualTo("Ada");
        assertThat(created.getString("commit.branch")).as("an upload has no branch: fan-out never takes it").isNull();
        assertThat(created.getString("session_expires_at")).as("only development deployments have a session").isNull();

        BuildRequested request = buildRequested(id);
        assertThat(request.source().kind()).isEqualTo("upload");
        assertThat(request.source().uploadKey()).isEqualTo(upload);
        assertThat(request.source().commitSha()).isEqualTo(sha);
        assertThat(request.source().cloneUrl()).isNull();
        assertThat(request.environment()).isEqualTo("preview");

        // A failed build of an upload re-runs from the same upload.
        sendStarted(id, id, at(3));
        sendCompleted(failed(id, "procedure.yaml is invalid"), id);
        awaitStatus(id, "failed");
        String rerun = as(KEY).post("/v2/deployments/" + id + "/rerun").then().statusCode(202).extract().path("id");
        BuildRequested again = buildRequested(rerun);
        assertThat(again.source().kind()).isEqualTo("upload");
        assertThat(again.source().uploadKey()).isEqualTo(upload);
    }

    @Test
    void productionFromAnUploadIsAProductionDeployment() {
        String procedureId = createProcedure(KEY, "acme/" + unique("upload-prod"), Map.of()).getString("id");
        String id = as(KEY).body(Map.of("procedure_id", procedureId, "upload_id", storedUpload(orgId()),
                        "environment", "production"))
                .post("/v2/deployments").then().statusCode(202).extract().path("id");
        assertThat(buildRequested(id).environment()).isEqualTo("production");
        assertThat(TestSupport.deployment(id).getString("environment")).isEqualTo("production");
    }

    @Test
    void uploadsThatAreNotThereOrNotWholeAreRefused() {
        String procedureId = createProcedure(KEY, "acme/" + unique("upload-bad"), Map.of()).getString("id");
        String notPut = EventIds.withPrefix("upl");
        FakeArtifactStore.UPLOADS.put(notPut, new FakeArtifactStore.Upload(orgId(), 100, "a".repeat(64), null));
        String truncated = EventIds.withPrefix("upl");
        FakeArtifactStore.UPLOADS.put(truncated, new FakeArtifactStore.Upload(orgId(), 100, "a".repeat(64), 60L));

        assertThat(create(procedureId, Map.of("upload_id", notPut), 409).getString("type"))
                .endsWith("/upload-incomplete");
        assertThat(create(procedureId, Map.of("upload_id", truncated), 409).getString("type"))
                .endsWith("/upload-size-mismatch");
        create(procedureId, Map.of("upload_id", EventIds.withPrefix("upl")), 404);
        create(procedureId, Map.of("upload_id", storedUpload(otherOrgId())), 404);
        create(procedureId, Map.of("upload_id", "upl_../../x"), 400);
        create(procedureId, Map.of("upload_id", storedUpload(orgId()), "commit_sha", sha()), 400);
        create(procedureId, Map.of("upload_id", storedUpload(orgId()), "environment", "staging"), 400);
        create(procedureId, Map.of("upload_id", storedUpload(orgId()), "commit", Map.of("sha", "abc")), 400);
        create(procedureId, Map.of("commit_sha", sha(), "environment", "production"), 400);
        as(TestSupport.OTHER_KEY).body(Map.of("procedure_id", procedureId, "upload_id", storedUpload(otherOrgId())))
                .post("/v2/deployments").then().statusCode(404);
        as(RoleKeys.newKey(KEY, "viewer")).body(Map.of("procedure_id", procedureId, "upload_id", storedUpload(orgId())))
                .post("/v2/deployments").then().statusCode(403);
    }

    @Test
    void aDevelopmentDeploymentLivesWhileItsSessionBeatsAndIsRemovedAfterItEnds() throws Throwable {
        String procedureId = createProcedure(KEY, "acme/" + unique("dev"), Map.of()).getString("id");
        JsonPath created = create(procedureId, Map.of("upload_id", storedUpload(orgId()), "environment",
                "development"), 202);
        String id = created.getString("id");
        Instant firstExpiry = Instant.parse(created.getString("session_expires_at"));
        assertThat(firstExpiry).isAfter(Instant.now());
        assertThat(created.getLong("session_heartbeat_seconds")).isEqualTo(20);
        assertThat(Instant.parse(created.getString("session_removal_at"))).isAfter(firstExpiry);
        assertThat(buildRequested(id).environment()).isEqualTo("development");
        sendStarted(id, id, at(3));
        sendCompleted(ready(id, at(3), at(1), digest()), id);
        String digest = awaitStatus(id, "ready").getString("artifact.digest");

        Instant renewed = Instant.parse(as(KEY).post("/v2/deployments/" + id + "/heartbeat").then().statusCode(200)
                .extract().path("session_expires_at"));
        assertThat(renewed).isAfterOrEqualTo(firstExpiry);
        as(RoleKeys.newKey(KEY, "viewer")).post("/v2/deployments/" + id + "/heartbeat").then().statusCode(403);
        String preview = create(procedureId, Map.of("upload_id", storedUpload(orgId())), 202).getString("id");
        assertThat(as(KEY).post("/v2/deployments/" + preview + "/heartbeat").then().statusCode(409)
                .extract().<String>path("type")).endsWith("/not-development");

        DevelopmentSessions sessions = io.quarkus.arc.Arc.container().instance(DevelopmentSessions.class).get();
        io.quarkus.vertx.VertxContextSupport.subscribeAndAwait(sessions::pass);
        as(KEY).get("/v2/deployments/" + id).then().statusCode(200); // alive: its session has not ended

        as(KEY).delete("/v2/deployments/" + id + "/session").then().statusCode(204);
        as(KEY).delete("/v2/deployments/" + id + "/session").then().statusCode(204); // idempotent
        JsonPath ended = as(KEY).post("/v2/deployments/" + id + "/heartbeat").then().statusCode(409).extract()
                .jsonPath();
        assertThat(ended.getString("type")).endsWith("/session-ended");
        assertThat(TestSupport.deployment(id).getString("session_ended_at")).isNotNull();
        io.quarkus.vertx.VertxContextSupport.subscribeAndAwait(sessions::pass);
        as(KEY).get("/v2/deployments/" + id).then().statusCode(200); // ended, but the removal delay has not passed
        assertThat(FakeDispatcher.RELEASED).doesNotContainKey(id);

        ReconcilerTest.inTransaction(session -> session.createNativeQuery("update deployments set session_expires_at"
                + " = session_expires_at - interval '11 minutes' where id = ?1").setParameter(1, id).executeUpdate());
        int removed = io.quarkus.vertx.VertxContextSupport.subscribeAndAwait(sessions::pass);
        assertThat(removed).isGreaterThanOrEqualTo(1);
        assertThat(FakeDispatcher.RELEASED).containsKey(id);
        assertThat(FakeDispatcher.RELEASED.get(id)).contains("development session ended");
        JsonPath gone = as(KEY).get("/v2/deployments/" + id).then().statusCode(410).extract().jsonPath();
        assertThat(gone.getString("detail")).contains("development session ended more than 10 minutes ago");
        await("the development artifact deleted", () -> FakeDispatcher.ARTIFACT_DELETES.stream()
                .anyMatch(d -> d.startsWith(digest)), found -> found);
        List<ConsumerRecord<String, String>> events = KafkaTestClient.readUntil(Topics.DEPLOYMENT_EVENTS,
                rs -> rs.stream().anyMatch(r -> id.equals(r.key()) && r.value().contains("\"deleted\"")), WAIT);
        assertThat(events.stream().filter(r -> id.equals(r.key()))
                .map(r -> EventCodec.data(EventCodec.parse(r.value()), DeploymentEvent.class).change()))
                .contains(DeploymentEvent.CREATED, DeploymentEvent.READY, DeploymentEvent.DELETED);
        as(KEY).post("/v2/deployments/" + preview + "/heartbeat").then().statusCode(409);
    }

    private static JsonPath create(String procedureId, Map<String, Object> fields, int status) {
        Map<String, Object> body = new HashMap<>(fields);
        body.put("procedure_id", procedureId);
        return as(KEY).body(body).post("/v2/deployments").then().statusCode(status).extract().jsonPath();
    }

    /** An upload of the organization that was PUT whole. */
    private static String storedUpload(String orgId) {
        String id = EventIds.withPrefix("upl");
        FakeArtifactStore.UPLOADS.put(id, new FakeArtifactStore.Upload(orgId, 2048, "b".repeat(64), 2048L));
        return id;
    }

    private static BuildRequested buildRequested(String deploymentId) {
        List<ConsumerRecord<String, String>> records = KafkaTestClient.readUntil(Topics.BUILD_REQUESTED,
                rs -> rs.stream().anyMatch(r -> deploymentId.equals(r.key())), WAIT);
        String value = records.stream().filter(r -> deploymentId.equals(r.key())).findFirst().orElseThrow().value();
        assertThat(EventSchemas.validate(value)).as("schema problems of %s", value).isEmpty();
        return EventCodec.data(EventCodec.parse(value), BuildRequested.class);
    }
}
