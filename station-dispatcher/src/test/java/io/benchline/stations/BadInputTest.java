package io.benchline.stations;

import io.benchline.stations.TestSupport.CreatedStation;
import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import static io.benchline.stations.TestSupport.agent;
import static io.benchline.stations.TestSupport.api;
import static io.benchline.stations.TestSupport.createStation;
import static io.benchline.stations.TestSupport.newProcedure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * service-common's input rules on /v2/stations and the agent channel (issue 7: a station named {@code "\u0000"} and
 * {@code %00} as an id answered 500, and several 400s had no problem body).
 */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = TestSupport.DATABASE),
        @ResourceArg(name = "kafka", value = "true")})
@QuarkusTestResource(FakePeers.class)
class BadInputTest {

    @Test
    void aStationNameIsOneLineOfText() {
        for (String junk : new String[] {"\"\\u0000\"", "\"bench\\u0000-01\"", "\"a\\nb\"", "5", "true", "{}",
                "[\"bench\"]", "\"\\udc00\""}) {
            assertField(api().body("{\"name\":" + junk + "}").post("/v2/stations"), "name");
        }
    }

    @Test
    void bodiesOfTheWrongShapeAreProblems() {
        for (String junk : new String[] {"[]", "[{}]", "5", "\"x\"", "{", "{\"name\":\"a\"}x"}) {
            Response answer = api().body(junk).post("/v2/stations");
            assertThat(answer.statusCode()).as(junk).isEqualTo(400);
            assertThat(answer.contentType()).as(junk).startsWith("application/problem+json");
            assertThat(answer.jsonPath().getInt("status")).isEqualTo(400);
        }
    }

    @Test
    void aBodyOverTheLimitIsAProblem() {
        // quarkus.http.limits.max-body-size=1M here
        Response tooLarge = api().body("{\"name\":\"" + "x".repeat(1024 * 1024) + "\"}").post("/v2/stations");
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(tooLarge.contentType()).startsWith("application/problem+json");
        assertThat(tooLarge.jsonPath().getInt("status")).isEqualTo(413);
    }

    @Test
    void agentReportsHaveStrictTypes() {
        CreatedStation station = createStation();
        String procedure = newProcedure();
        for (String junk : new String[] {"\"3\"", "1.5", "true", "\"\""}) {
            assertField(agent(station.agentToken()).body("{\"deployment_id\":\"dep_x\",\"pointer_version\":" + junk + "}")
                    .put("/agent/v1/pointers/" + procedure), "pointer_version");
        }
        for (String at : new String[] {"1700000000", "1.7e9", "\"yesterday\"", "\"\""}) {
            assertField(agent(station.agentToken()).body("{\"run_id\":\"r1\",\"procedure_id\":\"" + procedure
                    + "\",\"deployment_id\":\"dep_x\",\"phase\":\"started\",\"at\":" + at + "}").post("/agent/v1/runs"), "at");
        }
    }

    @Test
    void junkAsAnIdIsABadRequestOrNotFoundNeverAServerError() {
        CreatedStation station = createStation();
        for (String path : new String[] {"/v2/stations/%00", "/v2/stations/%00/runs", "/v2/stations/" + station.id()
                + "/history?cursor=%00", "/v2/stations?cursor=%0d%0a"}) {
            Response answer = api().urlEncodingEnabled(false).get(path);
            assertThat(answer.statusCode()).as(path).isEqualTo(400);
            assertThat(answer.contentType()).as(path).startsWith("application/problem+json");
        }
        Response unknown = api().urlEncodingEnabled(false).get("/v2/stations/%c3%a4");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
    }

    private static void assertField(Response answer, String field) {
        assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(400);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.jsonPath().getList("errors.field", String.class)).as(answer.asString()).contains(field);
    }
}
