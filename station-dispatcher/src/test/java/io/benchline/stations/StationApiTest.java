package io.benchline.stations;

import io.benchline.events.EventIds;
import io.benchline.stations.TestSupport.CreatedStation;
import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.benchline.stations.TestSupport.api;
import static io.benchline.stations.TestSupport.createStation;
import static io.benchline.stations.TestSupport.link;
import static io.benchline.stations.TestSupport.newProcedure;
import static org.assertj.core.api.Assertions.assertThat;

/** /v2/stations: creation with a one-time agent token, links checked with deployment-service, organizations apart. */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = TestSupport.DATABASE),
        @ResourceArg(name = "kafka", value = "true")})
@QuarkusTestResource(FakePeers.class)
class StationApiTest {

    @Test
    void aNewStationShowsItsAgentTokenOnce() {
        String name = "bench-" + EventIds.next();
        Response created = api().body(Map.of("name", name)).post("/v2/stations");

        assertThat(created.statusCode()).isEqualTo(201);
        JsonPath json = created.jsonPath();
        String id = json.getString("id");
        assertThat(id).matches("stn_[0-9a-z]{26}");
        assertThat(created.header("Location")).endsWith("/v2/stations/" + id);
        assertThat(json.getString("name")).isEqualTo(name);
        assertThat(json.getString("agent_token")).startsWith("bst_").hasSizeGreaterThan(30);

        JsonPath fetched = TestSupport.station(id);
        assertThat(fetched.getString("id")).isEqualTo(id);
        assertThat(fetched.getMap("$")).doesNotContainKey("agent_token");
        JsonPath listed = api().get("/v2/stations?limit=1000").then().statusCode(200).extract().jsonPath();
        assertThat(listed.getList("data.agent_token")).containsOnlyNulls();
        assertThat(allStationIds(TestSupport::api)).contains(id);

        api().body(Map.of("name", name)).post("/v2/stations").then().statusCode(409);
        api().body(Map.of("name", " ")).post("/v2/stations").then().statusCode(400)
                .contentType("application/problem+json");
    }

    @Test
    void linksAreCheckedWithDeploymentServiceAndValidated() {
        CreatedStation station = createStation();
        String procedure = newProcedure();

        JsonPath linked = link(station.id(), procedure, "production", null);
        assertThat(linked.getList("links.procedure_id")).containsExactly(procedure);
        assertThat(linked.getList("links.environment")).containsExactly("production");
        assertThat(linked.getList("pointers.procedure_id")).containsExactly(procedure);
        assertThat(linked.getLong("pointers[0].pointer_version")).isZero();

        api().body(Map.of("procedure_id", procedure, "environment", "production"))
                .post("/v2/stations/" + station.id() + "/links").then().statusCode(409);
        // A procedure deployment-service does not know for this caller: 404, not 503.
        api().body(Map.of("procedure_id", EventIds.withPrefix("prc"), "environment", "production"))
                .post("/v2/stations/" + station.id() + "/links").then().statusCode(404)
                .contentType("application/problem+json");
        api().body(Map.of("procedure_id", newProcedure(), "environment", "preview"))
                .post("/v2/stations/" + station.id() + "/links").then().statusCode(400);
        api().body(Map.of("procedure_id", newProcedure(), "environment", "staging"))
                .post("/v2/stations/" + station.id() + "/links").then().statusCode(400);
        api().body(Map.of("procedure_id", "nope", "environment", "production"))
                .post("/v2/stations/" + station.id() + "/links").then().statusCode(400);
        JsonPath preview = link(station.id(), newProcedure(), "preview", "feature/x");
        assertThat(preview.getList("links.branch")).contains("feature/x");

        api().body(Map.of("procedure_id", newProcedure()))
                .post("/v2/stations/" + station.id() + "/run-requests").then().statusCode(409);
    }

    @Test
    void anotherOrganizationSeesNothing() {
        CreatedStation station = createStation();
        String procedure = newProcedure();
        link(station.id(), procedure, "production", null);
        var other = RestAssured.given().header("Authorization", "Bearer " + FakePeers.OTHER_API_KEY)
                .contentType(ContentType.JSON);

        other.get("/v2/stations/" + station.id()).then().statusCode(404);
        assertThat(allStationIds(() -> RestAssured.given().header("Authorization", "Bearer " + FakePeers.OTHER_API_KEY)))
                .doesNotContain(station.id());
        RestAssured.given().header("Authorization", "Bearer " + FakePeers.OTHER_API_KEY).contentType(ContentType.JSON)
                .body(Map.of("procedure_id", procedure)).post("/v2/stations/" + station.id() + "/run-requests")
                .then().statusCode(404);
        RestAssured.given().header("Authorization", "Bearer " + FakePeers.OTHER_API_KEY).contentType(ContentType.JSON)
                .body(Map.of("procedure_id", procedure, "environment", "production"))
                .post("/v2/stations/" + station.id() + "/links").then().statusCode(404);
        RestAssured.given().header("Authorization", "Bearer " + FakePeers.OTHER_API_KEY)
                .get("/v2/stations/" + station.id() + "/runs").then().statusCode(404);
    }

    @Test
    void theApiNeedsAValidApiKey() {
        RestAssured.given().get("/v2/stations").then().statusCode(401).contentType("application/problem+json");
        RestAssured.given().header("Authorization", "Bearer not-a-key").get("/v2/stations").then().statusCode(401)
                .contentType("application/problem+json");
    }

    /** Every station id the caller can list, page after page. */
    private static List<String> allStationIds(
            java.util.function.Supplier<io.restassured.specification.RequestSpecification> caller) {
        List<String> ids = new java.util.ArrayList<>();
        String cursor = null;
        do {
            JsonPath page = caller.get().get("/v2/stations?limit=1000" + (cursor == null ? "" : "&cursor=" + cursor))
                    .then().statusCode(200).extract().jsonPath();
            ids.addAll(page.getList("data.id"));
            cursor = page.getString("next_cursor");
        } while (cursor != null);
        return ids;
    }

    @Test
    void stationsArePagedByCursorWithoutGapsOrRepeats() {
        var orgB = RestAssured.given().header("Authorization", "Bearer " + FakePeers.OTHER_API_KEY)
                .contentType(ContentType.JSON);
        for (int i = 0; i < 3; i++) {
            orgB.body(Map.of("name", "paged-" + EventIds.next())).post("/v2/stations").then().statusCode(201);
        }
        List<String> all = allStationIds(() -> RestAssured.given().header("Authorization", "Bearer " + FakePeers.OTHER_API_KEY));
        List<String> paged = new java.util.ArrayList<>();
        String cursor = null;
        do {
            JsonPath page = RestAssured.given().header("Authorization", "Bearer " + FakePeers.OTHER_API_KEY)
                    .get("/v2/stations?limit=2" + (cursor == null ? "" : "&cursor=" + cursor))
                    .then().statusCode(200).extract().jsonPath();
            assertThat(page.getList("data")).hasSizeLessThanOrEqualTo(2);
            paged.addAll(page.getList("data.id"));
            cursor = page.getString("next_cursor");
        } while (cursor != null);
        assertThat(all).hasSizeGreaterThanOrEqualTo(3);
        assertThat(paged).containsExactlyElementsOf(all).doesNotHaveDuplicates();
        assertThat(paged).isSorted();

        api().get("/v2/stations?limit=0").then().statusCode(400).contentType("application/problem+json");
        api().get("/v2/stations?limit=1001").then().statusCode(400);
        api().get("/v2/stations?cursor=../x").then().statusCode(400);
    }
}
