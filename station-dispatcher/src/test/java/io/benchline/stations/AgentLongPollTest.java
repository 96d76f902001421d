package io.benchline.stations;

import io.benchline.events.EventIds;
import io.benchline.stations.TestSupport.CreatedStation;
import io.benchline.stations.app.AgentWakeups;
import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.benchline.stations.TestSupport.agent;
import static io.benchline.stations.TestSupport.api;
import static io.benchline.stations.TestSupport.await;
import static io.benchline.stations.TestSupport.awaitPointerAt;
import static io.benchline.stations.TestSupport.createStation;
import static io.benchline.stations.TestSupport.link;
import static io.benchline.stations.TestSupport.newProcedure;
import static io.benchline.stations.TestSupport.ready;
import static io.benchline.stations.TestSupport.send;
import static org.assertj.core.api.Assertions.assertThat;

/** The push channel: a held GET /agent/v1/assignments answers as soon as the station's assignments change. */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = TestSupport.DATABASE),
        @ResourceArg(name = "kafka", value = "true")})
@QuarkusTestResource(FakePeers.class)
class AgentLongPollTest {

    @Inject
    AgentWakeups wakeups;

    private static String etagOf(CreatedStation station) {
        Response response = agent(station.agentToken()).get("/agent/v1/assignments");
        assertThat(response.statusCode()).isEqualTo(200);
        String etag = response.header("ETag");
        assertThat(etag).isNotBlank();
        return etag;
    }

    private static CompletableFuture<Response> longPoll(CreatedStation station, String etag, int seconds) {
        return CompletableFuture.supplyAsync(() -> agent(station.agentToken()).header("If-None-Match", etag)
                .get("/agent/v1/assignments?wait=" + seconds));
    }

    @Test
    void aHeldRequestAnswersWithTheNewDeploymentWhenItIsAssigned() throws Exception {
        CreatedStation station = createStation();
        String procedure = newProcedure();
        link(station.id(), procedure, "production", null);
        String etag = etagOf(station);
        int watchesBefore = wakeups.openWatches();

        // Held for up to 80 s: it can only come back early, and with 200, because the fan-out woke it.
        CompletableFuture<Response> held = longPoll(station, etag, 80);
        await("the long-poll is waiting", () -> wakeups.openWatches() > watchesBefore);
        assertThat(held).isNotDone();
        String deployment = EventIds.withPrefix("dep");
        send(ready(procedure, deployment, 1, "production", null));

        Response answer = held.get();
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.jsonPath().getString("assignments[0].deployment_id")).isEqualTo(deployment);
        assertThat(answer.header("ETag")).isNotEqualTo(etag);
        awaitPointerAt(station.id(), procedure, deployment);
    }

    @Test
    void oneFanOutWakesEveryHeldRequestOfItsStationsWithItsOwnState() throws Exception {
        String procedure = newProcedure();
        java.util.List<CreatedStation> stations = new java.util.ArrayList<>();
        java.util.List<CompletableFuture<Response>> held = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            CreatedStation station = createStation();
            link(station.id(), procedure, "production", null);
            stations.add(station);
        }
        int watchesBefore = wakeups.openWatches();
        for (CreatedStation station : stations) {
            held.add(longPoll(station, etagOf(station), 80));
        }
        await("30 long-polls waiting", () -> wakeups.openWatches() >= watchesBefore + 30);
        String deployment = EventIds.withPrefix("dep");
        send(ready(procedure, deployment, 1, "production", null));

        for (int i = 0; i < stations.size(); i++) {
            Response answer = held.get(i).get();
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.jsonPath().getString("station_id")).isEqualTo(stations.get(i).id());
            assertThat(answer.jsonPath().getString("assignments[0].deployment_id")).isEqualTo(deployment);
            assertThat(answer.jsonPath().getLong("assignments[0].pointer_version")).isEqualTo(1);
        }
    }

    @Test
    void aRunRequestWakesAHeldRequest() throws Exception {
        CreatedStation station = createStation();
        String procedure = newProcedure();
        link(station.id(), procedure, "production", null);
        // Runs are requested only of a procedure with a deployment on the station.
        String deployment = EventIds.withPrefix("dep");
        TestSupport.send(TestSupport.ready(procedure, deployment, 1, "production", null));
        TestSupport.awaitPointerAt(station.id(), procedure, deployment);
        String etag = etagOf(station);
        int watchesBefore = wakeups.openWatches();

        CompletableFuture<Response> held = longPoll(station, etag, 80);
        await("the long-poll is waiting", () -> wakeups.openWatches() > watchesBefore);
        String request = api().body(Map.of("procedure_id", procedure))
                .post("/v2/stations/" + station.id() + "/run-requests").then().statusCode(202).extract()
                .jsonPath().getString("id");

        Response answer = held.get();
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.jsonPath().getString("run_requests[0].id")).isEqualTo(request);
    }

    @Test
    void nothingChangedAnswers304WithTheSameTagWhenTheWaitEnds() {
        CreatedStation station = createStation();
        String etag = etagOf(station);

        Response answer = agent(station.agentToken()).header("If-None-Match", etag).get("/agent/v1/assignments?wait=1");

        assertThat(answer.statusCode()).isEqualTo(304);
        assertThat(answer.header("ETag")).isEqualTo(etag);
        assertThat(wakeups.openWatches()).as("the watch is closed when the wait ends").isZero();
    }

    @Test
    void aStaleTagIsAnsweredAtOnceAndABadWaitIsA400() {
        CreatedStation station = createStation();
        Response answer = agent(station.agentToken()).header("If-None-Match", "\"stale\"")
                .get("/agent/v1/assignments?wait=60");
        assertThat(answer.statusCode()).isEqualTo(200);

        agent(station.agentToken()).get("/agent/v1/assignments?wait=soon").then().statusCode(400)
                .contentType("application/problem+json");
        agent(station.agentToken()).get("/agent/v1/assignments?wait=-1").then().statusCode(400);
        agent("not-a-token").header("If-None-Match", "\"x\"").get("/agent/v1/assignments?wait=5").then()
                .statusCode(401);
    }
}
