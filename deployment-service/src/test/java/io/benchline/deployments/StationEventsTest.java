package io.benchline.deployments;

import io.benchline.events.EventTypes;
import io.benchline.events.PointerMoved;
import io.benchline.events.StationRun;
import io.benchline.events.Topics;
import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static io.benchline.deployments.TestSupport.KEY;
import static io.benchline.deployments.TestSupport.OTHER_KEY;
import static io.benchline.deployments.TestSupport.as;
import static io.benchline.deployments.TestSupport.createProcedure;
import static io.benchline.deployments.TestSupport.deployment;
import static io.benchline.deployments.TestSupport.envelope;
import static io.benchline.deployments.TestSupport.orgId;
import static io.benchline.deployments.TestSupport.send;
import static io.benchline.deployments.TestSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;

/** station.pointer.moved → active_stations and /stations; station.runs → /runs. */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = "benchline_deployments"),
        @ResourceArg(name = "kafka", value = "true")})
class StationEventsTest {

    private static String manual(String procedureId) {
        return as(KEY).body(Map.of("procedure_id", procedureId, "commit_sha", TestSupport.sha()))
                .post("/v2/deployments").then().statusCode(202).extract().path("id");
    }

    private static void move(String station, String procedureId, String from, String to, long version) {
        send(Topics.STATION_POINTER_MOVED, station, envelope(EventTypes.POINTER_MOVED, station,
                new PointerMoved(station, orgId(), procedureId, from, to, "auto", version)));
    }

    private static long active(String deploymentId) {
        return deployment(deploymentId).getLong("active_stations");
    }

    private static List<String> stationsOf(String deploymentId) {
        return as(KEY).get("/v2/deployments/" + deploymentId + "/stations").then().statusCode(200).extract()
                .jsonPath().getList("data.station_id", String.class);
    }

    @Test
    void pointerMovesCountActiveStationsAndTheNewestVersionWins() {
        String procedureId = createProcedure(KEY, "acme/" + unique("stations"), Map.of()).getString("id");
        String first = manual(procedureId);
        String second = manual(procedureId);
        String stationA = unique("stn_a");
        String stationB = unique("stn_b");

        move(stationA, procedureId, null, first, 1);
        move(stationB, procedureId, null, first, 1);
        TestSupport.await("2 active stations", () -> active(first), n -> n == 2);
        assertThat(stationsOf(first)).containsExactlyInAnyOrder(stationA, stationB);
        var listed = as(KEY).queryParam("procedure_id", procedureId).get("/v2/deployments").then().statusCode(200)
                .extract().jsonPath();
        assertThat(listed.getList("data.active_stations", Integer.class)).containsExactly(0, 2);

        // A moves to the second deployment (v2); a stale v1 move arriving late is ignored
        move(stationA, procedureId, first, second, 2);
        move(stationA, procedureId, null, first, 1);
        move(stationA, procedureId, first, first, 2); // equal version: not newer
        // marker on the same station key, another procedure
        String markerProcedure = createProcedure(KEY, "acme/" + unique("stations-marker"), Map.of()).getString("id");
        String markerDeployment = manual(markerProcedure);
        move(stationA, markerProcedure, null, markerDeployment, 1);
        TestSupport.await("the marker move", () -> active(markerDeployment), n -> n == 1);

        assertThat(active(second)).isEqualTo(1);
        assertThat(active(first)).isEqualTo(1);
        assertThat(stationsOf(second)).containsExactly(stationA);
        assertThat(stationsOf(first)).containsExactly(stationB);
        assertThat(as(KEY).get("/v2/deployments/" + second + "/stations").then().extract().jsonPath()
                .getLong("data[0].pointer_version")).isEqualTo(2);

        // a cleared pointer (unlink) no longer counts
        move(stationB, procedureId, first, null, 2);
        TestSupport.await("no active stations", () -> active(first), n -> n == 0);
        assertThat(stationsOf(first)).isEmpty();

        TestSupport.otherOrgId();
        as(OTHER_KEY).get("/v2/deployments/" + second + "/stations").then().statusCode(404);
    }

    @Test
    void aFleetOfMovesIsStoredInBatchesAndABadRecordAmongThemGoesAloneToTheDeadLetterTopic() {
        String procedureId = createProcedure(KEY, "acme/" + unique("batch"), Map.of()).getString("id");
        String deploymentId = manual(procedureId);
        String prefix = unique("stn_f");
        String garbage = "not a pointer move " + unique("x");
        try (var producer = io.benchline.testsupport.KafkaTestClient.producer()) {
            for (int i = 0; i < 500; i++) {
                String station = prefix + "_" + i;
                var event = envelope(EventTypes.POINTER_MOVED, station,
                        new PointerMoved(station, orgId(), procedureId, null, deploymentId, "auto", 1));
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(Topics.STATION_POINTER_MOVED,
                        station, io.benchline.events.EventCodec.toJson(event)));
                if (i == 250) {
                    producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(Topics.STATION_POINTER_MOVED,
                            station, garbage));
                }
            }
        }

        TestSupport.await("500 active stations", () -> active(deploymentId), n -> n == 500);
        List<String> dead = io.benchline.testsupport.KafkaTestClient.readUntil(
                        "dead-letter-topic-" + Topics.STATION_POINTER_MOVED,
                        rs -> rs.stream().anyMatch(r -> garbage.equals(r.value())), TestSupport.WAIT)
                .stream().map(org.apache.kafka.clients.consumer.ConsumerRecord::value).toList();
        assertThat(dead).contains(garbage);
        assertThat(dead).noneMatch(v -> v.contains(prefix));
    }

    @Test
    void runsAreListedPerDeploymentWhicheverPhaseArrivesFirst() {
        String procedureId = createProcedure(KEY, "acme/" + unique("runs"), Map.of()).getString("id");
        String deploymentId = manual(procedureId);
        String station = unique("stn_r");
        Instant start = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.MILLIS);
        Instant end = start.plusSeconds(42);
        String run1 = "run_" + unique("1");
        String run2 = "run_" + unique("2");

        runEvent(new StationRun(run1, station, orgId(), procedureId, deploymentId, "started", null, start, null), station);
        runEvent(new StationRun(run1, station, orgId(), procedureId, deploymentId, "finished", "passed", end, 42_000L),
                station);
        // run 2: finished overtakes started
        runEvent(new StationRun(run2, station, orgId(), procedureId, deploymentId, "finished", "failed", end, 1_000L),
                station);
        var started2 = envelope(EventTypes.STATION_RUN, station,
                new StationRun(run2, station, orgId(), procedureId, deploymentId, "started", null, start, null));
        send(Topics.STATION_RUNS, station, started2);
        send(Topics.STATION_RUNS, station, started2); // duplicate

        List<Map<String, Object>> runs = TestSupport.await("2 runs with start times", () -> runs(deploymentId),
                rs -> rs.size() == 2 && rs.stream().allMatch(r -> r.get("started_at") != null));
        Map<String, Object> r1 = runs.stream().filter(r -> run1.equals(r.get("run_id"))).findFirst().orElseThrow();
        Map<String, Object> r2 = runs.stream().filter(r -> run2.equals(r.get("run_id"))).findFirst().orElseThrow();
        assertThat(r1.get("station_id")).isEqualTo(station);
        assertThat(r1.get("deployment_id")).isEqualTo(deploymentId);
        assertThat(r1.get("procedure_id")).isEqualTo(procedureId);
        assertThat(r1.get("outcome")).isEqualTo("passed");
        assertThat(((Number) r1.get("duration_ms")).longValue()).isEqualTo(42_000L);
        assertThat(Instant.parse((String) r1.get("started_at"))).isEqualTo(start);
        assertThat(Instant.parse((String) r1.get("finished_at"))).isEqualTo(end);
        assertThat(r2.get("outcome")).isEqualTo("failed");
        assertThat(Instant.parse((String) r2.get("started_at"))).isEqualTo(start);
        assertThat(Instant.parse((String) r2.get("finished_at"))).isEqualTo(end);

        assertThat(runs(manual(procedureId))).isEmpty();
        TestSupport.otherOrgId();
        as(OTHER_KEY).get("/v2/deployments/" + deploymentId + "/runs").then().statusCode(404);
    }

    private static void runEvent(StationRun run, String key) {
        send(Topics.STATION_RUNS, key, envelope(EventTypes.STATION_RUN, key, run));
    }

    private static List<Map<String, Object>> runs(String deploymentId) {
        return as(KEY).get("/v2/deployments/" + deploymentId + "/runs").then().statusCode(200).extract().jsonPath()
                .getList("data");
    }
}
