package io.benchline.stations;

import io.benchline.events.EventCodec;
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
import static io.benchline.stations.TestSupport.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Development deployments ({@code benchline dev}) reach only stations marked for development, by pin, never by
 * fan-out, and leave them when their session ends; an upload's preview (no branch) is pinned to any preview link
 * and never fanned out.
 */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = TestSupport.DATABASE),
        @ResourceArg(name = "kafka", value = "true")})
@QuarkusTestResource(FakePeers.class)
class DevelopmentStationsTest {

    @Test
    void aDevelopmentDeploymentIsPinnedOnlyToDevelopmentStationsAndReleasedWhenItsSessionEnds() {
        CreatedStation bench = createStation();
        CreatedStation line = createStation();
        String procedure = newProcedure();
        link(bench.id(), procedure, "production", null);
        link(line.id(), procedure, "production", null);
        String production = EventIds.withPrefix("dep");
        awaitProcessed(send(ready(procedure, production, 1, "production", null)).id());
        awaitPointerAt(bench.id(), procedure, production);
        awaitPointerAt(line.id(), procedure, production);

        String dev = EventIds.withPrefix("dep");
        awaitProcessed(send(ready(procedure, dev, 2, "development", null)).id());
        // The positive signal that fan-out had its chance: a later production deployment reaches both stations.
        String later = EventIds.withPrefix("dep");
        awaitProcessed(send(ready(procedure, later, 3, "production", null)).id());
        awaitPointerAt(line.id(), procedure, later);
        awaitPointerAt(bench.id(), procedure, later);
        assertThat(count("select count(*) from fanout_jobs where deployment_id = ?", dev))
                .as("a development deployment is never fanned out").isZero();

        JsonPath refused = api().post("/v2/stations/" + bench.id() + "/deployments/" + dev).then().statusCode(409)
                .extract().jsonPath();
        assertThat(refused.getString("type")).endsWith("/wrong-environment");
        assertThat(refused.getString("detail")).contains("marked for development");
        assertThat(refused.getList("stations", String.class)).containsExactly(bench.id());

        JsonPath marked = api().body(Map.of("development", true)).patch("/v2/stations/" + bench.id()).then()
                .statusCode(200).extract().jsonPath();
        assertThat(marked.getBoolean("development")).isTrue();
        assertThat(TestSupport.station(line.id()).getBoolean("development")).isFalse();
        api().body(Map.of()).patch("/v2/stations/" + bench.id()).then().statusCode(400);

        api().body(Map.of("deployment_id", dev, "station_ids", List.of(bench.id(), line.id())))
                .post("/v2/stations/pins").then().statusCode(409);
        JsonPath pinned = api().post("/v2/stations/" + bench.id() + "/deployments/" + dev).then().statusCode(200)
                .extract().jsonPath();
        assertThat(pinned.getString("deployment_id")).isEqualTo(dev);
        assertThat(pointer(line.id(), procedure).get("deployment_id")).isEqualTo(later);

        assertThat(count("select count(*) from pointers where deployment_id = ?", dev)).isEqualTo(1);
        JsonPath released = internal().body(Map.of("note", "development session ended"))
                .post("/internal/v1/deployments/" + dev + "/release").then().statusCode(200).extract().jsonPath();
        assertThat(released.getInt("moved")).isEqualTo(1);
        Map<String, Object> back = pointer(bench.id(), procedure);
        assertThat(back.get("deployment_id")).as("back on what its link follows").isEqualTo(later);
        assertThat(back.get("pinned")).isEqualTo(false);
        List<PointerMoved> moves = pointerMoves(bench.id(), 4).stream()
                .map(r -> EventCodec.data(EventCodec.parse(r.value()), PointerMoved.class)).toList();
        PointerMoved last = moves.get(moves.size() - 1);
        assertThat(last.reason()).isEqualTo(PointerMoved.UNPIN);
        assertThat(last.fromDeploymentId()).isEqualTo(dev);
        assertThat(last.toDeploymentId()).isEqualTo(later);
        assertThat(last.note()).isEqualTo("development session ended");
        assertThat(internal().body(Map.of()).post("/internal/v1/deployments/" + dev + "/release").then()
                .statusCode(200).extract().jsonPath().getInt("moved")).as("nothing names it any more").isZero();

        // Now the delete check lets it go.
        internal().body(Map.of("org_id", FakePeers.ORG_ID, "procedure_id", procedure, "sequence", 2,
                        "environment", "development", "status", "ready"))
                .post("/internal/v1/deployments/" + dev + "/tombstone").then().statusCode(204);
        internal().body(Map.of()).post("/internal/v1/deployments/" + later + "/release").then().statusCode(409);
        RestAssured.given().contentType(ContentType.JSON).body(Map.of())
                .post("/internal/v1/deployments/" + dev + "/release").then().statusCode(401);
    }

    @Test
    void aDevelopmentDeploymentWithNothingElseToFollowLeavesTheStationCleared() {
        CreatedStation bench = createStation();
        String procedure = newProcedure();
        link(bench.id(), procedure, "preview", "feature-x");
        api().body(Map.of("development", true)).patch("/v2/stations/" + bench.id()).then().statusCode(200);
        String dev = EventIds.withPrefix("dep");
        awaitProcessed(send(ready(procedure, dev, 1, "development", null)).id());
        api().post("/v2/stations/" + bench.id() + "/deployments/" + dev).then().statusCode(200);

        internal().body(Map.of()).post("/internal/v1/deployments/" + dev + "/release").then().statusCode(200);
        assertThat(pointer(bench.id(), procedure).get("deployment_id")).isNull();
    }

    @Test
    void anUploadsPreviewHasNoBranchSoItIsPinnedToAnyPreviewLinkAndNeverFannedOut() {
        CreatedStation a = createStation();
        CreatedStation b = createStation();
        CreatedStation prod = createStation();
        String procedure = newProcedure();
        link(a.id(), procedure, "preview", "feature-a");
        link(b.id(), procedure, "preview", "feature-b");
        link(prod.id(), procedure, "production", null);
        String upload = EventIds.withPrefix("dep");
        awaitProcessed(send(ready(procedure, upload, 1, "preview", null)).id());
        String branchA = EventIds.withPrefix("dep");
        awaitProcessed(send(ready(procedure, branchA, 2, "preview", "feature-a")).id());
        awaitPointerAt(a.id(), procedure, branchA);
        await("fan-out of " + branchA + " finished", () -> count(
                "select count(*) from fanout_jobs where deployment_id = ? and finished_at is not null", branchA) == 1);
        assertThat(pointer(b.id(), procedure).get("deployment_id")).isNull();

        api().body(Map.of("deployment_id", upload, "station_ids", List.of(a.id(), b.id())))
                .post("/v2/stations/pins").then().statusCode(200);
        awaitPointerAt(a.id(), procedure, upload);
        awaitPointerAt(b.id(), procedure, upload);
        api().post("/v2/stations/" + prod.id() + "/deployments/" + upload).then().statusCode(409)
                .body("type", org.hamcrest.Matchers.endsWith("/promote-first"));
    }

    private static io.restassured.specification.RequestSpecification internal() {
        return RestAssured.given().header("X-Benchline-Internal-Token", BenchlineInfra.INTERNAL_TOKEN)
                .contentType(ContentType.JSON);
    }
}
