package io.benchline.deployments;

import io.benchline.events.DeploymentEvent;
import io.benchline.events.EventCodec;
import io.benchline.events.EventEnvelope;
import io.benchline.events.EventIds;
import io.benchline.events.EventSchemas;
import io.benchline.events.EventTypes;
import io.benchline.events.PointerMoved;
import io.benchline.events.Topics;
import io.benchline.testsupport.BenchlineInfra;
import io.benchline.testsupport.KafkaTestClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.benchline.deployments.TestSupport.KEY;
import static io.benchline.deployments.TestSupport.OTHER_KEY;
import static io.benchline.deployments.TestSupport.WAIT;
import static io.benchline.deployments.TestSupport.as;
import static io.benchline.deployments.TestSupport.at;
import static io.benchline.deployments.TestSupport.await;
import static io.benchline.deployments.TestSupport.awaitDeployments;
import static io.benchline.deployments.TestSupport.awaitStatus;
import static io.benchline.deployments.TestSupport.createProcedure;
import static io.benchline.deployments.TestSupport.deployment;
import static io.benchline.deployments.TestSupport.digest;
import static io.benchline.deployments.TestSupport.envelope;
import static io.benchline.deployments.TestSupport.inSession;
import static io.benchline.deployments.TestSupport.newDeliveryId;
import static io.benchline.deployments.TestSupport.orgId;
import static io.benchline.deployments.TestSupport.otherOrgId;
import static io.benchline.deployments.TestSupport.push;
import static io.benchline.deployments.TestSupport.ready;
import static io.benchline.deployments.TestSupport.send;
import static io.benchline.deployments.TestSupport.sendCompleted;
import static io.benchline.deployments.TestSupport.sendPush;
import static io.benchline.deployments.TestSupport.sendStarted;
import static io.benchline.deployments.TestSupport.sha;
import static io.benchline.deployments.TestSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.endsWith;

/**
 * Promote, rollback, resume, delete and procedure history against real PostgreSQL and Kafka; station-dispatcher's
 * delete check and artifact-store's delete are {@link FakeDispatcher}.
 */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = "benchline_deployments"),
        @ResourceArg(name = "kafka", value = "true")})
@QuarkusTestResource(FakeDispatcher.class)
class DeploymentManagementTest {

    /**
     * Previews older than the retention age expire, unless a station points at them (station-dispatcher refuses the
     * tombstone) or they are production: the expired one answers 410 with when and why, leaves the lists, and its
     * artifact bytes are freed.
     */
    @Test
    void oldPreviewsExpireUnlessPointedAtAndProductionNever() throws Throwable {
        String repo = "acme/" + unique("retention");
        String procedureId = createProcedure(KEY, repo, Map.of()).getString("id");
        String old = readyPush(procedureId, repo, "feature-old", 0);
        String pointedAt = readyPush(procedureId, repo, "feature-held", 1);
        String fresh = readyPush(procedureId, repo, "feature-new", 2);
        String production = readyPush(procedureId, repo, "main", 3);
        String oldDigest = as(KEY).get("/v2/deployments/" + old).then().statusCode(200).extract()
                .path("artifact.digest");
        ReconcilerTest.inTransaction(session -> session.createNativeQuery("update deployments set created_at ="
                        + " created_at - interval '100 days' where id in (?1, ?2, ?3)")
                .setParameter(1, old).setParameter(2, pointedAt).setParameter(3, production).executeUpdate());
        FakeDispatcher.IN_USE.put(pointedAt, List.of(EventIds.withPrefix("stn")));

        io.benchline.deployments.app.PreviewRetention retention = io.quarkus.arc.Arc.container()
                .instance(io.benchline.deployments.app.PreviewRetention.class).get();
        int expired = io.quarkus.vertx.VertxContextSupport.subscribeAndAwait(retention::pass);
        assertThat(expired).as("only the old preview nobody points at").isGreaterThanOrEqualTo(1);

        JsonPath gone = as(KEY).get("/v2/deployments/" + old).then().statusCode(410)
                .contentType("application/problem+json").extract().jsonPath();
        assertThat(gone.getString("detail")).contains("expired at ").contains("preview deployments expire 90 days");
        as(KEY).get("/v2/deployments/" + old + "/logs").then().statusCode(410);
        as(KEY).get("/v2/deployments/" + pointedAt).then().statusCode(200).body("status",
                org.hamcrest.Matchers.equalTo("ready"));
        as(KEY).get("/v2/deployments/" + production).then().statusCode(200);
        as(KEY).get("/v2/deployments/" + fresh).then().statusCode(200);
        assertThat(TestSupport.deploymentsOf(KEY, procedureId)).extracting(d -> d.get("id")).doesNotContain(old)
                .contains(pointedAt, fresh, production);
        await("the expired preview's artifact deleted", () -> FakeDispatcher.ARTIFACT_DELETES.stream()
                .anyMatch(d -> d.startsWith(oldDigest)), found -> found);
        List<DeploymentEvent> events = events(old, 3);
        assertThat(events.get(events.size() - 1).change()).isEqualTo(DeploymentEvent.DELETED);
        FakeDispatcher.IN_USE.remove(pointedAt);
    }

    /** A deployment of a push to the branch, built ready with its own artifact digest; returns its id. */
    private static String readyPush(String procedureId, String repo, String branch, int existing) {
        sendPush(push(orgId(), repo, newDeliveryId(), branch, sha()));
        List<Map<String, Object>> all = awaitDeployments(procedureId, existing + 1);
        String id = (String) all.get(0).get("id");
        sendStarted(id, id, at(5));
        sendCompleted(ready(id, at(5), at(1), digest()), id);
        awaitStatus(id, "ready");
        return id;
    }

    /** The deployment.events records of a deployment, once {@code count} have arrived. */
    private static List<DeploymentEvent> events(String deploymentId, int count) {
        List<ConsumerRecord<String, String>> records = KafkaTestClient.readUntil(Topics.DEPLOYMENT_EVENTS,
                rs -> rs.stream().filter(r -> deploymentId.equals(r.key())).count() >= count, WAIT);
        return records.stream().filter(r -> deploymentId.equals(r.key())).map(r -> {
            assertThat(EventSchemas.validate(r.value())).as("schema problems of %s", r.value()).isEmpty();
            return EventCodec.data(EventCodec.parse(r.value()), DeploymentEvent.class);
        }).toList();
    }

    private static DeploymentEvent event(String deploymentId, String change) {
        return await(change + " event of " + deploymentId, () -> events(deploymentId, 1).stream()
                .filter(e -> change.equals(e.change())).findFirst().orElse(null), e -> e != null);
    }

    /** A pointer of a station moved to the deployment, as station-dispatcher would publish it. */
    private static void pointedAt(String procedureId, String deploymentId) {
        String station = EventIds.withPrefix("stn");
        EventEnvelope e = envelope(EventTypes.POINTER_MOVED, station, new PointerMoved(station, orgId(), procedureId,
                null, deploymentId, "auto", 1));
        send(Topics.STATION_POINTER_MOVED, station, e);
        await("first_deployed_at of " + deploymentId, () -> inSession(s -> s.createNativeQuery(
                        "select count(*) from deployments where id = ?1 and first_deployed_at is not null", Long.class)
                .setParameter(1, deploymentId).getSingleResult()), n -> n == 1);
    }

    @Test
    void previewPromotedRolledBackResumedAndDeletedWithTheirRulesEventsAndHistory() {
        String repo = "acme/" + unique("manage");
        String procedureId = createProcedure(KEY, repo, Map.of()).getString("id");
        String preview = readyPush(procedureId, repo, "feature-x", 0);
        JsonPath source = deployment(preview);
        assertThat(source.getString("environment")).isEqualTo("preview");
        // Lifecycle events carry the control version their auto-push decision was made at: none before any control.
        assertThat(event(preview, DeploymentEvent.READY).controlVersion()).isNull();

        // Promote: a new production record of the same artifact, ready at once; the preview stays a preview.
        JsonPath promoted = as(KEY).body(Map.of("note", "passed the golden unit")).post("/v2/deployments/" + preview
                + "/promote").then().statusCode(201).extract().jsonPath();
        String production = promoted.getString("id");
        assertThat(promoted.getString("environment")).isEqualTo("production");
        assertThat(promoted.getString("status")).isEqualTo("ready");
        assertThat(promoted.getString("promoted_from")).isEqualTo(preview);
        assertThat(promoted.getString("artifact.digest")).isEqualTo(source.getString("artifact.digest"));
        assertThat(promoted.getString("artifact.signature")).isEqualTo(source.getString("artifact.signature"));
        assertThat(promoted.getString("commit.sha")).isEqualTo(source.getString("commit.sha"));
        assertThat(promoted.getLong("sequence")).isGreaterThan(source.getLong("sequence"));
        assertThat(deployment(preview).getString("environment")).isEqualTo("preview");
        DeploymentEvent promotedEvent = event(production, DeploymentEvent.PROMOTED);
        assertThat(promotedEvent.controlVersion()).isEqualTo(1L);
        assertThat(promotedEvent.promotedFrom()).isEqualTo(preview);
        assertThat(promotedEvent.status()).isEqualTo("ready");
        assertThat(promotedEvent.actor().name()).isEqualTo("bootstrap");
        assertThat(promotedEvent.note()).isEqualTo("passed the golden unit");
        as(KEY).post("/v2/deployments/" + production + "/promote").then().statusCode(409)
                .contentType("application/problem+json").body("type", endsWith("/not-promotable"));

        // Rollback: only to a production deployment that ran; then paused, shown on the procedure.
        as(KEY).body(Map.of("deployment_id", production)).post("/v2/procedures/" + procedureId + "/rollback").then()
                .statusCode(409).body("type", endsWith("/not-a-rollback-target"))
                .body("detail", org.hamcrest.Matchers.containsString("never deployed"));
        as(KEY).body(Map.of("deployment_id", preview)).post("/v2/procedures/" + procedureId + "/rollback").then()
                .statusCode(409).body("detail", org.hamcrest.Matchers.containsString("promote it instead"));
        pointedAt(procedureId, production);
        String newer = readyPush(procedureId, repo, "main", 2);
        assertThat(event(newer, DeploymentEvent.READY).controlVersion()).as("built after the promote").isEqualTo(1L);
        JsonPath paused = as(KEY).body(Map.of("deployment_id", production, "note", "yield dropped on line 3"))
                .post("/v2/procedures/" + procedureId + "/rollback").then().statusCode(202).extract().jsonPath();
        assertThat(paused.getString("paused.reason")).isEqualTo("rollback");
        assertThat(paused.getString("paused.rollback_deployment_id")).isEqualTo(production);
        assertThat(paused.getString("paused.by.name")).isEqualTo("bootstrap");
        assertThat(paused.getString("paused.note")).isEqualTo("yield dropped on line 3");
        assertThat(paused.getString("paused.since")).isNotNull();
        DeploymentEvent rolledBack = event(production, DeploymentEvent.ROLLED_BACK);
        assertThat(rolledBack.controlVersion()).isEqualTo(2L);
        assertThat(rolledBack.autoPush()).isFalse();

        // Paused: pushes still build, and their ready event tells the dispatcher not to fan out.
        String whilePaused = readyPush(procedureId, repo, "main", 3);
        assertThat(event(whilePaused, DeploymentEvent.READY).autoPush()).isFalse();
        assertThat(event(whilePaused, DeploymentEvent.READY).controlVersion()).as("built after the rollback")
                .isEqualTo(2L);
        as(KEY).delete("/v2/deployments/" + production).then().statusCode(409).body("type", endsWith("/rollback-target"));

        // Resume.
        JsonPath resumed = as(KEY).body(Map.of()).post("/v2/procedures/" + procedureId + "/resume").then()
                .statusCode(200).extract().jsonPath();
        assertThat(resumed.getString("paused")).isNull();
        assertThat(event(production, DeploymentEvent.RESUMED).controlVersion()).isEqualTo(3L);
        as(KEY).post("/v2/procedures/" + procedureId + "/resume").then().statusCode(409)
                .body("type", endsWith("/not-paused"));

        // Delete: refused while the dispatcher names stations, then done; the shared digest stays in storage.
        FakeDispatcher.IN_USE.put(newer, List.of("stn_01jtestmanagementstationaaa"));
        as(KEY).delete("/v2/deployments/" + newer).then().statusCode(409).contentType("application/problem+json")
                .body("type", endsWith("/deployment-in-use"))
                .body("stations", org.hamcrest.Matchers.contains("stn_01jtestmanagementstationaaa"))
                .body("station_count", org.hamcrest.Matchers.equalTo(1));
        assertThat(deployment(newer).getString("status")).isEqualTo("ready");
        pointedAt(procedureId, newer);
        as(KEY).body(Map.of("deployment_id", newer)).post("/v2/procedures/" + procedureId + "/rollback").then()
                .statusCode(202);
        as(KEY).post("/v2/procedures/" + procedureId + "/resume").then().statusCode(200);
        FakeDispatcher.IN_USE.remove(newer);

        FakeDispatcher.DOWN.add(whilePaused);
        as(KEY).delete("/v2/deployments/" + whilePaused).then().statusCode(503);
        assertThat(deployment(whilePaused).getString("status")).isEqualTo("ready");
        FakeDispatcher.DOWN.remove(whilePaused);
        String digest = deployment(whilePaused).getString("artifact.digest");
        as(KEY).delete("/v2/deployments/" + whilePaused).then().statusCode(204);
        as(KEY).get("/v2/deployments/" + whilePaused).then().statusCode(404).contentType("application/problem+json");
        as(KEY).get("/v2/deployments/" + whilePaused + "/logs").then().statusCode(404);
        as(KEY).delete("/v2/deployments/" + whilePaused).then().statusCode(404);
        assertThat(TestSupport.deploymentsOf(KEY, procedureId)).extracting(d -> d.get("id")).doesNotContain(whilePaused);
        assertThat(event(whilePaused, DeploymentEvent.DELETED).actor().name()).isEqualTo("bootstrap");
        await("artifact " + digest + " deleted", () -> FakeDispatcher.ARTIFACT_DELETES.stream()
                .anyMatch(d -> d.startsWith(digest + "?unless_uploaded_after=")), found -> found);

        String sharedDigest = source.getString("artifact.digest");
        as(KEY).delete("/v2/deployments/" + preview).then().statusCode(204);
        await("the delete's artifact record of " + sharedDigest + " settled", () -> inSession(s -> s.createNativeQuery(
                        "select count(*) from artifact_deletions where digest = ?1", Long.class)
                .setParameter(1, sharedDigest).getSingleResult()), n -> n == 0);
        assertThat(FakeDispatcher.ARTIFACT_DELETES).noneMatch(d -> d.startsWith(sharedDigest));
        assertThat(deployment(production).getString("artifact.digest")).isEqualTo(sharedDigest);

        // History: newest first, with who and why, paged.
        JsonPath history = as(KEY).get("/v2/procedures/" + procedureId + "/history?limit=3").then().statusCode(200)
                .extract().jsonPath();
        assertThat(history.getList("data.action")).containsExactly("delete", "delete", "resume");
        JsonPath rest = as(KEY).get("/v2/procedures/" + procedureId + "/history?cursor="
                + history.getString("next_cursor")).then().statusCode(200).extract().jsonPath();
        assertThat(rest.getList("data.action")).containsExactly("rollback", "resume", "rollback", "promote");
        assertThat(rest.getString("data[2].note")).isEqualTo("yield dropped on line 3");
        assertThat(rest.getString("data[3].from_deployment_id")).isEqualTo(preview);
        assertThat(rest.getString("data[3].deployment_id")).isEqualTo(production);
        assertThat(rest.getString("data[3].actor.name")).isEqualTo("bootstrap");
    }

    @Test
    void rolesAndOrganizationsGuardEveryManagementRoute() {
        String repo = "acme/" + unique("guard");
        String procedureId = createProcedure(KEY, repo, Map.of()).getString("id");
        String preview = readyPush(procedureId, repo, "feature-y", 0);
        otherOrgId();
        String member = RoleKeys.newKey(KEY, "member");
        String viewer = RoleKeys.newKey(KEY, "viewer");
        for (String key : List.of(member, viewer)) {
            as(key).post("/v2/deployments/" + preview + "/promote").then().statusCode(403)
                    .contentType("application/problem+json").body("type", endsWith("/missing-role"));
            as(key).delete("/v2/deployments/" + preview).then().statusCode(403);
            as(key).body(Map.of("deployment_id", preview)).post("/v2/procedures/" + procedureId + "/rollback").then()
                    .statusCode(403);
            as(key).post("/v2/procedures/" + procedureId + "/resume").then().statusCode(403);
        }
        as(viewer).get("/v2/procedures/" + procedureId + "/history").then().statusCode(200);
        as(OTHER_KEY).post("/v2/deployments/" + preview + "/promote").then().statusCode(404);
        as(OTHER_KEY).delete("/v2/deployments/" + preview).then().statusCode(404);
        as(OTHER_KEY).body(Map.of("deployment_id", preview)).post("/v2/procedures/" + procedureId + "/rollback").then()
                .statusCode(404);
        as(OTHER_KEY).post("/v2/procedures/" + procedureId + "/resume").then().statusCode(404);
        as(OTHER_KEY).get("/v2/procedures/" + procedureId + "/history").then().statusCode(404);
        // Nothing changed: still one deployment, not deleted, not paused, no history.
        assertThat(TestSupport.deploymentsOf(KEY, procedureId)).hasSize(1);
        assertThat(as(KEY).get("/v2/procedures/" + procedureId).then().statusCode(200).extract().jsonPath()
                .getString("paused")).isNull();
        assertThat(as(KEY).get("/v2/procedures/" + procedureId + "/history").then().statusCode(200).extract()
                .jsonPath().getList("data")).isEmpty();
        // Bad input.
        as(KEY).body(Map.of("deployment_id", "nope")).post("/v2/procedures/" + procedureId + "/rollback").then()
                .statusCode(400);
        as(KEY).body(Map.of("deployment_id", EventIds.withPrefix("dep"))).post("/v2/procedures/" + procedureId
                + "/rollback").then().statusCode(404);
        as(KEY).body(Map.of("note", "x".repeat(501))).post("/v2/deployments/" + preview + "/promote").then()
                .statusCode(400);
        as(KEY).get("/v2/procedures/" + procedureId + "/history?cursor=zzz").then().statusCode(400);
    }

    /**
     * A rollback to a deployment and its delete sent at the same moment, 100 times: they serialize on the
     * procedure's row, so never both answer 2xx, and a deleted deployment is never the rollback target.
     */
    @Test
    void aRollbackRacingADeleteOfItsTargetNeverBothSucceed() throws Exception {
        String repo = "acme/" + unique("race");
        String procedureId = createProcedure(KEY, repo, Map.of()).getString("id");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        int rollbacks = 0;
        int deletes = 0;
        try {
            for (int i = 1; i <= 100; i++) {
                String id = EventIds.withPrefix("dep");
                long sequence = 1000 + i;
                inSession(s -> s.createNativeQuery("""
                                insert into deployments (id, org_id, procedure_id, sequence, environment, trigger, status,
                                    source, commit_sha, artifact_digest, artifact_size_bytes, artifact_signature,
                                    artifact_key_id, first_deployed_at, created_at, updated_at)
                                values (?1, ?2, ?3, ?4, 'production', 'auto', 'ready', 'git', ?5, ?6, 1, 'c2ln',
                                    'ed25519-0123456789abcdef', now(), now(), now())""")
                        .setParameter(1, id).setParameter(2, orgId()).setParameter(3, procedureId)
                        .setParameter(4, sequence).setParameter(5, sha()).setParameter(6, "sha256:" + digest())
                        .executeUpdate());
                java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
                var rollback = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    awaitBarrier(start);
                    return as(KEY).body(Map.of("deployment_id", id)).post("/v2/procedures/" + procedureId
                            + "/rollback").statusCode();
                }, pool);
                var delete = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    awaitBarrier(start);
                    return as(KEY).delete("/v2/deployments/" + id).statusCode();
                }, pool);
                int rolledBack = rollback.get();
                int deleted = delete.get();
                assertThat(rolledBack).as("rollback, round %d", i).isIn(202, 404, 409);
                assertThat(deleted).as("delete, round %d", i).isIn(204, 409);
                assertThat(rolledBack == 202 && deleted == 204).as("round %d: both answered 2xx", i).isFalse();
                String target = as(KEY).get("/v2/procedures/" + procedureId).then().statusCode(200).extract()
                        .jsonPath().getString("paused.rollback_deployment_id");
                if (deleted == 204) {
                    deletes++;
                    assertThat(target).isNotEqualTo(id);
                    as(KEY).get("/v2/deployments/" + id).then().statusCode(404);
                } else {
                    rollbacks++;
                    assertThat(target).isEqualTo(id);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(rollbacks).isPositive();
        assertThat(deletes).isPositive();
    }

    private static void awaitBarrier(java.util.concurrent.CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
