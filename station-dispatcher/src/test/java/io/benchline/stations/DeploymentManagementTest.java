package io.benchline.stations;

import io.benchline.events.ActorRef;
import io.benchline.events.DeploymentEvent;
import io.benchline.events.EventCodec;
import io.benchline.events.EventEnvelope;
import io.benchline.events.EventIds;
import io.benchline.events.PointerMoved;
import io.benchline.stations.TestSupport.CreatedStation;
import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.benchline.stations.TestSupport.api;
import static io.benchline.stations.TestSupport.await;
import static io.benchline.stations.TestSupport.awaitPointerAt;
import static io.benchline.stations.TestSupport.awaitProcessed;
import static io.benchline.stations.TestSupport.count;
import static io.benchline.stations.TestSupport.createStation;
import static io.benchline.stations.TestSupport.link;
import static io.benchline.stations.TestSupport.newProcedure;
import static io.benchline.stations.TestSupport.pointer;
import static io.benchline.stations.TestSupport.pointerMoves;
import static io.benchline.stations.TestSupport.ready;
import static io.benchline.stations.TestSupport.row;
import static io.benchline.stations.TestSupport.send;
import static io.benchline.stations.TestSupport.station;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pin, unpin, unlink, promote and rollback jobs, the delete check and station history, against real PostgreSQL
 * and Kafka (invariants 4, 6, 7, 9).
 */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = TestSupport.DATABASE),
        @ResourceArg(name = "kafka", value = "true")})
@QuarkusTestResource(FakePeers.class)
class DeploymentManagementTest {

    static DeploymentEvent control(String change, String procedure, String deployment, long sequence,
            long controlVersion) {
        DeploymentEvent r = ready(procedure, deployment, sequence, "production", null);
        return new DeploymentEvent(change, r.deploymentId(), r.orgId(), r.procedureId(), r.sequence(),
                r.environment(), "manual", "ready", null, r.commitSha(), false, r.artifact(), null, controlVersion,
                new ActorRef(FakePeers.ADMIN_KEY_ID, "ci admin"), "line 3 yield dropped");
    }

    private static PointerMoved moved(ConsumerRecord<String, String> record) {
        return EventCodec.data(EventCodec.parse(record.value()), PointerMoved.class);
    }

    private static long version(String stationId, String procedureId) {
        return ((Number) pointer(stationId, procedureId).get("pointer_version")).longValue();
    }

    /** A ready production deployment with auto-push, written by deployment-service at this control version. */
    private static DeploymentEvent readyWrittenAt(String procedure, String deployment, long sequence,
            long controlVersion) {
        DeploymentEvent r = ready(procedure, deployment, sequence, "production", null);
        return new DeploymentEvent(r.change(), r.deploymentId(), r.orgId(), r.procedureId(), r.sequence(),
                r.environment(), r.trigger(), r.status(), r.branch(), r.commitSha(), true, r.artifact(), null,
                controlVersion, ActorRef.SYSTEM, null);
    }

    private static String readyProduction(String procedure, long sequence) {
        String deployment = EventIds.withPrefix("dep");
        awaitProcessed(send(ready(procedure, deployment, sequence, "production", null)).id());
        return deployment;
    }

    @Test
    void aPinHoldsAgainstAutomaticFanOutUntilReleasedAndEveryStepIsInTheHistory() {
        CreatedStation pinned = createStation();
        CreatedStation free = createStation();
        String procedure = newProcedure();
        link(pinned.id(), procedure, "production", null);
        link(free.id(), procedure, "production", null);
        String a = readyProduction(procedure, 1);
        awaitPointerAt(pinned.id(), procedure, a);
        String b = readyProduction(procedure, 2);
        awaitPointerAt(pinned.id(), procedure, b);

        // Pinned back to the older deployment: an explicit move, one event, version +1.
        JsonPath pin = api().body(Map.of("note", "hold line 3")).post("/v2/stations/" + pinned.id() + "/deployments/" + a)
                .then().statusCode(200).extract().jsonPath();
        assertThat(pin.getString("deployment_id")).isEqualTo(a);
        assertThat(pin.getBoolean("pinned")).isTrue();
        assertThat(pin.getString("pin.by.name")).isEqualTo("ci admin");
        assertThat(pin.getLong("pointer_version")).isEqualTo(3);
        List<ConsumerRecord<String, String>> moves = pointerMoves(pinned.id(), 3);
        assertThat(moves).hasSize(3);
        PointerMoved pinMove = moved(moves.get(2));
        assertThat(pinMove.reason()).isEqualTo("pin");
        assertThat(pinMove.fromDeploymentId()).isEqualTo(b);
        assertThat(pinMove.toDeploymentId()).isEqualTo(a);
        assertThat(pinMove.actor()).isEqualTo(new ActorRef(FakePeers.ADMIN_KEY_ID, "ci admin"));
        assertThat(pinMove.note()).isEqualTo("hold line 3");

        // The next ready deployment reaches the free station (the positive signal) but not the pinned one.
        String c = readyProduction(procedure, 3);
        awaitPointerAt(free.id(), procedure, c);
        await("fan-out of " + c + " finished", () -> count(
                "select count(*) from fanout_jobs where deployment_id = ? and finished_at is not null", c) == 1);
        assertThat(pointer(pinned.id(), procedure).get("deployment_id")).isEqualTo(a);
        assertThat(version(pinned.id(), procedure)).isEqualTo(3);

        // Released: it follows the procedure again, to the newest.
        JsonPath unpin = api().delete("/v2/stations/" + pinned.id() + "/deployments/" + a)
                .then().statusCode(200).extract().jsonPath();
        assertThat(unpin.getString("deployment_id")).isEqualTo(c);
        assertThat(unpin.getBoolean("pinned")).isFalse();
        assertThat(unpin.getLong("pointer_version")).isEqualTo(4);
        assertThat(moved(pointerMoves(pinned.id(), 4).get(3)).reason()).isEqualTo("unpin");
        api().delete("/v2/stations/" + pinned.id() + "/deployments/" + a).then().statusCode(409)
                .body("type", org.hamcrest.Matchers.endsWith("/not-pinned"));

        JsonPath history = api().get("/v2/stations/" + pinned.id() + "/history?limit=2").then().statusCode(200)
                .extract().jsonPath();
        assertThat(history.getList("data.action")).containsExactly("unpin", "pin");
        assertThat(history.getString("data[1].note")).isEqualTo("hold line 3");
        assertThat(history.getString("data[1].actor.key_id")).isEqualTo(FakePeers.ADMIN_KEY_ID);
        assertThat(history.getString("data[1].from_deployment_id")).isEqualTo(b);
        String cursor = history.getString("next_cursor");
        JsonPath older = api().get("/v2/stations/" + pinned.id() + "/history?cursor=" + cursor).then()
                .statusCode(200).extract().jsonPath();
        assertThat(older.getList("data.action")).containsExactly("move", "move");
        assertThat(older.getList("data.to_deployment_id")).containsExactly(b, a);
        assertThat(older.getString("data[0].actor.name")).isEqualTo("benchline");
        assertThat(older.getString("next_cursor")).isNull();
    }

    @Test
    void pinsAreRefusedWithTheBrokenRuleAndChangeNothing() {
        CreatedStation production = createStation();
        CreatedStation previewOther = createStation();
        CreatedStation unlinked = createStation();
        String procedure = newProcedure();
        link(production.id(), procedure, "production", null);
        link(previewOther.id(), procedure, "preview", "other");
        String preview = EventIds.withPrefix("dep");
        awaitProcessed(send(ready(procedure, preview, 1, "preview", "feature")).id());

        // Invariant 7: a preview reaches a production link only through promote.
        api().post("/v2/stations/" + production.id() + "/deployments/" + preview).then().statusCode(409)
                .contentType("application/problem+json")
                .body("type", org.hamcrest.Matchers.endsWith("/promote-first"))
                .body("stations", org.hamcrest.Matchers.contains(production.id()));
        api().post("/v2/stations/" + previewOther.id() + "/deployments/" + preview).then().statusCode(409)
                .body("type", org.hamcrest.Matchers.endsWith("/wrong-environment"));
        api().post("/v2/stations/" + unlinked.id() + "/deployments/" + preview).then().statusCode(409)
                .body("type", org.hamcrest.Matchers.endsWith("/not-linked"));
        api().post("/v2/stations/" + production.id() + "/deployments/" + EventIds.withPrefix("dep")).then()
                .statusCode(404).contentType("application/problem+json");
        api().post("/v2/stations/" + production.id() + "/deployments/not-an-id").then().statusCode(400);
        assertThat(pointer(production.id(), procedure).get("deployment_id")).isNull();
        assertThat(pointer(production.id(), procedure).get("pinned")).isEqualTo(false);

        // A pending deployment cannot be pinned (invariant 6).
        String pending = EventIds.withPrefix("dep");
        DeploymentEvent r = ready(procedure, pending, 2, "production", null);
        awaitProcessed(send(new DeploymentEvent(DeploymentEvent.CREATED, pending, r.orgId(), procedure, 2, "production",
                "auto", "pending", null, r.commitSha(), true, null)).id());
        api().post("/v2/stations/" + production.id() + "/deployments/" + pending).then().statusCode(409)
                .body("type", org.hamcrest.Matchers.endsWith("/deployment-not-deployable"));
    }

    @Test
    void anotherOrganizationsKeyFindsNothingAndAViewerChangesNothing() {
        CreatedStation station = createStation();
        String procedure = newProcedure();
        link(station.id(), procedure, "production", null);
        String a = readyProduction(procedure, 1);
        awaitPointerAt(station.id(), procedure, a);
        var other = RestAssured.given().header("Authorization", "Bearer " + FakePeers.OTHER_API_KEY)
                .contentType(ContentType.JSON);
        var viewer = RestAssured.given().header("Authorization", "Bearer " + FakePeers.VIEWER_API_KEY)
                .contentType(ContentType.JSON);
        String pinPath = "/v2/stations/" + station.id() + "/deployments/" + a;
        other.post(pinPath).then().statusCode(404);
        other.delete(pinPath).then().statusCode(404);
        other.delete("/v2/stations/" + station.id() + "/links/" + procedure).then().statusCode(404);
        other.get("/v2/stations/" + station.id() + "/history").then().statusCode(404);
        other.body(Map.of("deployment_id", a, "station_ids", List.of(station.id()))).post("/v2/stations/pins").then()
                .statusCode(404);
        for (var call : List.<Runnable>of(
                () -> viewer.post(pinPath).then().statusCode(403).contentType("application/problem+json")
                        .body("type", org.hamcrest.Matchers.endsWith("/missing-role")),
                () -> viewer.delete(pinPath).then().statusCode(403),
                () -> viewer.delete("/v2/stations/" + station.id() + "/links/" + procedure).then().statusCode(403),
                () -> viewer.body(Map.of("procedure_id", procedure)).post("/v2/stations/" + station.id()
                        + "/run-requests").then().statusCode(403),
                () -> viewer.body(Map.of("name", "x")).post("/v2/stations").then().statusCode(403))) {
            call.run();
        }
        viewer.get("/v2/stations/" + station.id() + "/history").then().statusCode(200);
        assertThat(pointer(station.id(), procedure).get("pinned")).isEqualTo(false);
        assertThat(version(station.id(), procedure)).isEqualTo(1);
        assertThat(station(station.id()).getList("links")).hasSize(1);
        // A member may pin.
        RestAssured.given().header("Authorization", "Bearer " + FakePeers.MEMBER_API_KEY).contentType(ContentType.JSON)
                .post(pinPath).then().statusCode(200).body("pin.by.name", org.hamcrest.Matchers.equalTo("line lead"));
    }

    @Test
    void aBulkPinIsAllOrNothing() {
        String procedure = newProcedure();
        List<CreatedStation> stations = List.of(createStation(), createStation(), createStation());
        stations.subList(0, 2).forEach(s -> link(s.id(), procedure, "production", null));
        String a = readyProduction(procedure, 1);
        String b = readyProduction(procedure, 2);
        awaitPointerAt(stations.get(1).id(), procedure, b);
        List<String> ids = stations.stream().map(CreatedStation::id).toList();

        api().body(Map.of("deployment_id", a, "station_ids", ids)).post("/v2/stations/pins").then().statusCode(409)
                .body("type", org.hamcrest.Matchers.endsWith("/not-linked"))
                .body("stations", org.hamcrest.Matchers.contains(ids.get(2)));
        assertThat(pointer(ids.get(0), procedure).get("deployment_id")).isEqualTo(b);

        link(ids.get(2), procedure, "production", null);
        JsonPath bulk = api().body(Map.of("deployment_id", a, "station_ids", ids, "note", "freeze")).post("/v2/stations/pins")
                .then().statusCode(200).extract().jsonPath();
        assertThat(bulk.getInt("pinned")).isEqualTo(3);
        for (String id : ids) {
            assertThat(pointer(id, procedure).get("deployment_id")).isEqualTo(a);
            assertThat(pointer(id, procedure).get("pinned")).isEqualTo(true);
            // linked late, the third station started on the newest (one move) instead of moving twice
            int expected = id.equals(ids.get(2)) ? 2 : 3;
            List<ConsumerRecord<String, String>> moves = pointerMoves(id, expected);
            assertThat(moves).hasSize(expected);
            assertThat(moved(moves.get(expected - 1)).reason()).isEqualTo("pin");
        }
        api().body(Map.of("deployment_id", a, "station_ids", List.of())).post("/v2/stations/pins").then()
                .statusCode(400);
        api().body(Map.of("deployment_id", a, "station_ids", List.of("x"))).post("/v2/stations/pins").then()
                .statusCode(400);
    }

    @Test
    void rollbackMovesEveryProductionStationBackReplacingPinsAndPausesUntilAPromote() {
        String procedure = newProcedure();
        CreatedStation one = createStation();
        CreatedStation two = createStation();
        CreatedStation preview = createStation();
        link(one.id(), procedure, "production", null);
        link(two.id(), procedure, "production", null);
        link(preview.id(), procedure, "preview", "feature");
        String a = readyProduction(procedure, 1);
        String b = readyProduction(procedure, 2);
        awaitPointerAt(two.id(), procedure, b);
        api().post("/v2/stations/" + two.id() + "/deployments/" + b).then().statusCode(200);

        awaitProcessed(send(control(DeploymentEvent.ROLLED_BACK, procedure, a, 1, 1)).id());
        awaitPointerAt(one.id(), procedure, a);
        awaitPointerAt(two.id(), procedure, a);
        assertThat(pointer(two.id(), procedure).get("pinned")).isEqualTo(false);
        PointerMoved back = moved(pointerMoves(one.id(), 3).get(2));
        assertThat(back.reason()).isEqualTo("rollback");
        assertThat(back.fromDeploymentId()).isEqualTo(b);
        assertThat(back.actor().name()).isEqualTo("ci admin");
        assertThat(back.note()).isEqualTo("line 3 yield dropped");
        assertThat(pointer(preview.id(), procedure).get("deployment_id")).isNull();

        // Paused: a newer production deployment is recorded but moves no one.
        String c = readyProduction(procedure, 3);
        await("fan-out of " + c + " finished", () -> count(
                "select count(*) from fanout_jobs where deployment_id = ? and finished_at is not null", c) == 1);
        assertThat(row("select moved from fanout_jobs where deployment_id = ?", c).get(0)).isEqualTo(0L);
        assertThat(pointer(one.id(), procedure).get("deployment_id")).isEqualTo(a);
        // A new link of the paused procedure starts on the rollback target.
        CreatedStation late = createStation();
        link(late.id(), procedure, "production", null);
        assertThat(pointer(late.id(), procedure).get("deployment_id")).isEqualTo(a);

        // A promote ends the pause and moves everyone forward, a stale rollback (older control version) nothing.
        String promoted = EventIds.withPrefix("dep");
        awaitProcessed(send(control(DeploymentEvent.PROMOTED, procedure, promoted, 4, 2)).id());
        awaitPointerAt(one.id(), procedure, promoted);
        awaitPointerAt(late.id(), procedure, promoted);
        EventEnvelope stale = send(control(DeploymentEvent.ROLLED_BACK, procedure, b, 2, 1));
        awaitProcessed(stale.id());
        assertThat(count("select count(*) from fanout_jobs where deployment_id = ? and reason = 'rollback'", b))
                .as("a stale rollback records no job").isZero();
        assertThat(pointer(one.id(), procedure).get("deployment_id")).isEqualTo(promoted);
        assertThat(row("select paused, control_version from procedure_controls where procedure_id = ?", procedure))
                .containsExactly(false, 2L);
        String d = readyProduction(procedure, 5);
        awaitPointerAt(two.id(), procedure, d);
    }

    /**
     * Control events of different deployments travel on different partitions (fault trials found both orders after a
     * kill of station-dispatcher and after a Kafka outage): a rollback that arrives after the resume that followed it
     * moves nothing, and a ready event written after a resume fans out although that resume has not arrived yet.
     */
    /**
     * deployment-service rolled back (control version 1), resumed (2) and wrote c's ready at 2; here c's ready comes
     * first and fans out, then the rollback, then the resume. The rollback is stale (a job already saw version 2):
     * it moves nothing, and the station stays on c. (A fault trial found the station moved back.)
     */
    @Test
    void aRollbackArrivingAfterAReadyWrittenAfterItsResumeMovesNothing() {
        String procedure = newProcedure();
        CreatedStation station = createStation();
        link(station.id(), procedure, "production", null);
        String a = readyProduction(procedure, 1);
        String b = readyProduction(procedure, 2);
        awaitPointerAt(station.id(), procedure, b);

        String c = EventIds.withPrefix("dep");
        awaitProcessed(send(readyWrittenAt(procedure, c, 3, 2)).id());
        awaitPointerAt(station.id(), procedure, c);

        awaitProcessed(send(control(DeploymentEvent.ROLLED_BACK, procedure, a, 1, 1)).id());
        // The event was handled, so its job (if any) is recorded: wait until none is left unfinished.
        await("the rollback's job finished", () -> count("select count(*) from fanout_jobs where procedure_id = ?"
                + " and reason = 'rollback' and finished_at is null", procedure) == 0);
        assertThat(count("select count(*) from fanout_jobs where procedure_id = ? and reason = 'rollback'"
                + " and moved > 0", procedure)).as("the stale rollback moves no station").isZero();
        assertThat(pointer(station.id(), procedure).get("deployment_id")).isEqualTo(c);

        awaitProcessed(send(control(DeploymentEvent.RESUMED, procedure, a, 1, 2)).id());
        assertThat(row("select paused, control_version from procedure_controls where procedure_id = ?", procedure))
                .containsExactly(false, 2L);
        assertThat(pointer(station.id(), procedure).get("deployment_id")).isEqualTo(c);
    }

    @Test
    void aRollbackArrivingAfterItsResumeMovesNothingAndAReadyWrittenAfterAResumeNeedNotWaitForIt() {
        String procedure = newProcedure();
        CreatedStation station = createStation();
        link(station.id(), procedure, "production", null);
        String a = readyProduction(procedure, 1);
        String b = readyProduction(procedure, 2);
        awaitPointerAt(station.id(), procedure, b);

        // deployment-service: rollback to a (control version 1), then resume (2); the resume arrives first.
        awaitProcessed(send(control(DeploymentEvent.RESUMED, procedure, a, 1, 2)).id());
        awaitProcessed(send(control(DeploymentEvent.ROLLED_BACK, procedure, a, 1, 1)).id());
        assertThat(count("select count(*) from fanout_jobs where procedure_id = ? and reason = 'rollback'", procedure))
                .as("the stale rollback records no job").isZero();
        assertThat(pointer(station.id(), procedure).get("deployment_id")).isEqualTo(b);
        assertThat(row("select paused, control_version from procedure_controls where procedure_id = ?", procedure))
                .containsExactly(false, 2L);

        // Rollback (3) arrives and pauses; deployment-service then resumed (4) and wrote c's ready at version 4,
        // which arrives before that resume: c reaches the station all the same.
        awaitProcessed(send(control(DeploymentEvent.ROLLED_BACK, procedure, a, 1, 3)).id());
        awaitPointerAt(station.id(), procedure, a);
        String c = EventIds.withPrefix("dep");
        awaitProcessed(send(readyWrittenAt(procedure, c, 3, 4)).id());
        awaitPointerAt(station.id(), procedure, c);

        // A ready written while paused at version 5 (deployment-service's rollback came first) stops: the pause is
        // not older than the event, so it moves no one.
        awaitProcessed(send(control(DeploymentEvent.RESUMED, procedure, a, 1, 4)).id());
        awaitProcessed(send(control(DeploymentEvent.ROLLED_BACK, procedure, c, 3, 5)).id());
        String d = EventIds.withPrefix("dep");
        awaitProcessed(send(readyWrittenAt(procedure, d, 4, 4)).id());
        await("fan-out of " + d + " finished", () -> count(
                "select count(*) from fanout_jobs where deployment_id = ? and finished_at is not null", d) == 1);
        assertThat(row("select moved from fanout_jobs where deployment_id = ?", d).get(0)).isEqualTo(0L);
        assertThat(pointer(station.id(), procedure).get("deployment_id")).isEqualTo(c);
    }

    @Test
    void unlinkClearsThePointerRefusesRunsAndARelinkContinuesTheVersion() {
        CreatedStation station = createStation();
        String procedure = newProcedure();
        link(station.id(), procedure, "production", null);
        api().body(Map.of("procedure_id", procedure)).post("/v2/stations/" + station.id() + "/run-requests").then()
                .statusCode(409).body("type", org.hamcrest.Matchers.endsWith("/no-deployment-yet"));
        String a = readyProduction(procedure, 1);
        awaitPointerAt(station.id(), procedure, a);
        api().body(Map.of("procedure_id", procedure)).post("/v2/stations/" + station.id() + "/run-requests").then()
                .statusCode(202);

        api().delete("/v2/stations/" + station.id() + "/links/" + procedure).then().statusCode(204);
        assertThat(station(station.id()).getList("links")).isEmpty();
        assertThat(count("select count(*) from run_requests where station_id = ? and claimed_at is null",
                station.id())).isZero();
        PointerMoved cleared = moved(pointerMoves(station.id(), 2).get(1));
        assertThat(cleared.reason()).isEqualTo("unlink");
        assertThat(cleared.toDeploymentId()).isNull();
        assertThat(cleared.pointerVersion()).isEqualTo(2);
        api().body(Map.of("procedure_id", procedure)).post("/v2/stations/" + station.id() + "/run-requests").then()
                .statusCode(409).body("type", org.hamcrest.Matchers.endsWith("/not-linked"));
        api().delete("/v2/stations/" + station.id() + "/links/" + procedure).then().statusCode(404);

        link(station.id(), procedure, "production", null);
        assertThat(pointer(station.id(), procedure).get("deployment_id")).isEqualTo(a);
        assertThat(version(station.id(), procedure)).isEqualTo(3);
    }

    @Test
    void theDeleteCheckRefusesWhileAPointerNamesTheDeploymentAndThenTombstonesIt() {
        CreatedStation station = createStation();
        String procedure = newProcedure();
        link(station.id(), procedure, "production", null);
        String a = readyProduction(procedure, 1);
        awaitPointerAt(station.id(), procedure, a);

        tombstone(a, procedure, 1).then().statusCode(409).contentType("application/problem+json")
                .body("type", org.hamcrest.Matchers.endsWith("/deployment-in-use"))
                .body("stations", org.hamcrest.Matchers.contains(station.id()))
                .body("station_count", org.hamcrest.Matchers.equalTo(1));
        String b = readyProduction(procedure, 2);
        awaitPointerAt(station.id(), procedure, b);
        tombstone(a, procedure, 1).then().statusCode(204);
        tombstone(a, procedure, 1).then().statusCode(204);
        api().post("/v2/stations/" + station.id() + "/deployments/" + a).then().statusCode(404);
        // A deployment no event has told of yet is tombstoned too, and its late ready event deploys nothing.
        String unseen = EventIds.withPrefix("dep");
        tombstone(unseen, procedure, 3).then().statusCode(204);
        awaitProcessed(send(ready(procedure, unseen, 3, "production", null)).id());
        assertThat(count("select count(*) from fanout_jobs where deployment_id = ?", unseen)).isZero();
        assertThat(pointer(station.id(), procedure).get("deployment_id")).isEqualTo(b);
        RestAssured.given().contentType(ContentType.JSON).body(Map.of()).post("/internal/v1/deployments/" + a + "/tombstone")
                .then().statusCode(401);
    }

    static io.restassured.response.Response tombstone(String deployment, String procedure, long sequence) {
        return RestAssured.given().header("X-Benchline-Internal-Token", BenchlineInfra.INTERNAL_TOKEN)
                .contentType(ContentType.JSON)
                .body(Map.of("org_id", FakePeers.ORG_ID, "procedure_id", procedure, "sequence", sequence,
                        "environment", "production", "status", "ready"))
                .post("/internal/v1/deployments/" + deployment + "/tombstone");
    }
}
