package io.benchline.stations;

import io.benchline.events.ArtifactRef;
import io.benchline.events.DeploymentEvent;
import io.benchline.events.EventCodec;
import io.benchline.events.EventIds;
import io.benchline.events.StationRun;
import io.benchline.events.Topics;
import io.benchline.stations.TestSupport.CreatedStation;
import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.benchline.stations.TestSupport.agent;
import static io.benchline.stations.TestSupport.api;
import static io.benchline.stations.TestSupport.awaitPointerAt;
import static io.benchline.stations.TestSupport.createStation;
import static io.benchline.stations.TestSupport.link;
import static io.benchline.stations.TestSupport.newProcedure;
import static io.benchline.stations.TestSupport.pointer;
import static io.benchline.stations.TestSupport.ready;
import static io.benchline.stations.TestSupport.send;
import static org.assertj.core.api.Assertions.assertThat;

/** The agent channel: assignments, actual pointer reports, run requests and run reports on station.runs. */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = TestSupport.DATABASE),
        @ResourceArg(name = "kafka", value = "true")})
@QuarkusTestResource(FakePeers.class)
class AgentChannelTest {

    record Assigned(CreatedStation station, String procedure, String deployment, ArtifactRef artifact) {
    }

    private static Assigned stationWithAReadyDeployment() {
        CreatedStation station = createStation();
        String procedure = newProcedure();
        link(station.id(), procedure, "production", null);
        String deployment = EventIds.withPrefix("dep");
        DeploymentEvent event = ready(procedure, deployment, 1, "production", null);
        send(event);
        awaitPointerAt(station.id(), procedure, deployment);
        return new Assigned(station, procedure, deployment, event.artifact());
    }

    @Test
    void theAgentGetsItsAssignmentWithADownloadUrl() {
        Assigned a = stationWithAReadyDeployment();

        JsonPath json = agent(a.station().agentToken()).get("/agent/v1/assignments").then().statusCode(200)
                .extract().jsonPath();

        assertThat(json.getString("station_id")).isEqualTo(a.station().id());
        assertThat(json.getList("assignments")).hasSize(1);
        assertThat(json.getString("assignments[0].procedure_id")).isEqualTo(a.procedure());
        assertThat(json.getString("assignments[0].deployment_id")).isEqualTo(a.deployment());
        assertThat(json.getLong("assignments[0].pointer_version")).isEqualTo(1);
        assertThat(json.getString("assignments[0].artifact.digest")).isEqualTo(a.artifact().digest());
        assertThat(json.getLong("assignments[0].artifact.size_bytes")).isEqualTo(a.artifact().sizeBytes());
        assertThat(json.getString("assignments[0].artifact.signature")).isEqualTo(a.artifact().signature());
        assertThat(json.getString("assignments[0].artifact.key_id")).isEqualTo(a.artifact().keyId());
        assertThat(json.getString("assignments[0].download_url"))
                .isEqualTo(FakePeers.DOWNLOAD_BASE + a.artifact().digest().replace(':', '-') + ".zip?sig=x");
        assertThat(json.getList("run_requests")).isEmpty();

        // Polling again reuses the cached URL instead of asking artifact-store each time.
        int calls = FakePeers.DOWNLOAD_URL_CALLS.get();
        agent(a.station().agentToken()).get("/agent/v1/assignments").then().statusCode(200);
        assertThat(FakePeers.DOWNLOAD_URL_CALLS.get()).isEqualTo(calls);

        assertThat(TestSupport.station(a.station().id()).getString("last_seen_at")).isNotNull();
    }

    @Test
    void theAgentGetsItsOrganizationsSigningKeysWithAnETag() {
        Assigned a = stationWithAReadyDeployment();
        assertThat(agent(a.station().agentToken()).get("/agent/v1/assignments").then().statusCode(200)
                .extract().jsonPath().getString("organization_id")).isEqualTo(FakePeers.ORG_ID);

        io.restassured.response.Response first = agent(a.station().agentToken()).get("/agent/v1/keys");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.jsonPath().getString("organization_id")).as("only the station's own organization's keys")
                .isEqualTo(FakePeers.ORG_ID);
        assertThat(first.jsonPath().getList("keys.organization_id")).containsOnly(FakePeers.ORG_ID);
        String etag = first.header("ETag");
        assertThat(etag).contains(FakePeers.ORG_ID);

        agent(a.station().agentToken()).header("If-None-Match", etag).get("/agent/v1/keys").then().statusCode(304)
                .header("ETag", etag);

        FakePeers.KEYS_VERSION.incrementAndGet(); // a rotation
        io.restassured.response.Response rotated = agent(a.station().agentToken()).header("If-None-Match", etag)
                .get("/agent/v1/keys");
        assertThat(rotated.statusCode()).isEqualTo(200);
        assertThat(rotated.header("ETag")).isNotEqualTo(etag);

        agent(a.station().agentToken() + "x").get("/agent/v1/keys").then().statusCode(401)
                .contentType("application/problem+json");
        agent(FakePeers.API_KEY).get("/agent/v1/keys").then().statusCode(401);
    }

    @Test
    void aWrongOrMissingAgentTokenIs401() {
        Assigned a = stationWithAReadyDeployment();
        agent(a.station().agentToken() + "x").get("/agent/v1/assignments").then().statusCode(401)
                .contentType("application/problem+json");
        RestAssured.given().get("/agent/v1/assignments").then().statusCode(401)
                .contentType("application/problem+json");
        // An API key is not an agent token.
        agent(FakePeers.API_KEY).get("/agent/v1/assignments").then().statusCode(401);
        agent("wrong").body(Map.of("deployment_id", a.deployment(), "pointer_version", 1))
                .put("/agent/v1/pointers/" + a.procedure()).then().statusCode(401);
    }

    @Test
    void theAgentReportsWhatItRunsNow() {
        Assigned a = stationWithAReadyDeployment();

        JsonPath reported = agent(a.station().agentToken())
                .body(Map.of("deployment_id", a.deployment(), "pointer_version", 1))
                .put("/agent/v1/pointers/" + a.procedure()).then().statusCode(200).extract().jsonPath();

        assertThat(reported.getString("actual_deployment_id")).isEqualTo(a.deployment());
        Map<String, Object> pointer = pointer(a.station().id(), a.procedure());
        assertThat(pointer.get("actual_deployment_id")).isEqualTo(a.deployment());
        assertThat(pointer.get("actual_reported_at")).isNotNull();

        agent(a.station().agentToken()).body(Map.of("deployment_id", a.deployment(), "pointer_version", 2))
                .put("/agent/v1/pointers/" + a.procedure()).then().statusCode(409);
        agent(a.station().agentToken()).body(Map.of("deployment_id", EventIds.withPrefix("dep"), "pointer_version", 1))
                .put("/agent/v1/pointers/" + a.procedure()).then().statusCode(400);
        agent(a.station().agentToken()).body(Map.of("deployment_id", a.deployment(), "pointer_version", 1))
                .put("/agent/v1/pointers/" + newProcedure()).then().statusCode(404);
    }

    /** The agent says what it does with a deployment; the pointer shows it, and since when one is staged. */
    @Test
    void theAgentReportsEachDeploymentsStateAndStagedSince() {
        Assigned a = stationWithAReadyDeployment();
        String token = a.station().agentToken();
        String path = "/agent/v1/pointers/" + a.procedure() + "/state";
        agent(token).body(Map.of("deployment_id", a.deployment(), "state", "installing")).put(path).then()
                .statusCode(200);
        assertThat(pointer(a.station().id(), a.procedure())).containsEntry("staged_since", null);
        agent(token).body(Map.of("deployment_id", a.deployment(), "state", "staged")).put(path).then().statusCode(200);
        Map<String, Object> staged = pointer(a.station().id(), a.procedure());
        assertThat(staged.get("staged_since")).isNotNull();
        assertThat(staged.get("agent_state")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("state", "staged").containsEntry("deployment_id", a.deployment());
        agent(token).body(Map.of("deployment_id", a.deployment(), "state", "staged")).put(path).then().statusCode(200);
        assertThat(pointer(a.station().id(), a.procedure()).get("staged_since")).as("kept")
                .isEqualTo(staged.get("staged_since"));

        agent(token).body(Map.of("deployment_id", a.deployment(), "state", "failed", "reason",
                "cannot install: the deployment needs Python 3.13")).put(path).then().statusCode(200);
        assertThat(pointer(a.station().id(), a.procedure()).get("agent_state"))
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("reason", "cannot install: the deployment needs Python 3.13");
        agent(token).body(Map.of("deployment_id", a.deployment(), "state", "active")).put(path).then().statusCode(200);
        Map<String, Object> active = pointer(a.station().id(), a.procedure());
        assertThat(active.get("staged_since")).isNull();
        assertThat(active.get("agent_state")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("state", "active").containsEntry("reason", null);

        agent(token).body(Map.of("deployment_id", a.deployment(), "state", "sleeping")).put(path).then()
                .statusCode(400).contentType("application/problem+json");
        agent(token).body(Map.of("deployment_id", a.deployment())).put(path).then()
                .statusCode(400).contentType("application/problem+json");
        agent(token).body(Map.of("deployment_id", EventIds.withPrefix("dep"), "state", "staged")).put(path).then()
                .statusCode(400);

        // The station's timeline: each change of state once (the repeated "staged" is one entry), the move before
        // them, newest first, paged.
        String station = a.station().id();
        JsonPath timeline = api().get("/v2/stations/" + station + "/timeline").then().statusCode(200).extract()
                .jsonPath();
        assertThat(timeline.getList("data.kind", String.class)).containsExactly("active", "failed", "staged",
                "installing", "move");
        assertThat(timeline.getString("data[1].reason")).isEqualTo("cannot install: the deployment needs Python 3.13");
        assertThat(timeline.getString("data[4].reason")).isEqualTo("auto");
        assertThat(timeline.getString("data[4].deployment_id")).isEqualTo(a.deployment());
        JsonPath first = api().get("/v2/stations/" + station + "/timeline?limit=2").then().statusCode(200).extract()
                .jsonPath();
        assertThat(first.getList("data.kind", String.class)).containsExactly("active", "failed");
        JsonPath second = api().get("/v2/stations/" + station + "/timeline?limit=2&cursor="
                + first.getString("next_cursor")).then().statusCode(200).extract().jsonPath();
        assertThat(second.getList("data.kind", String.class)).containsExactly("staged", "installing");
        api().get("/v2/stations/" + station + "/timeline?cursor=nonsense").then().statusCode(400);
        api().get("/v2/stations/" + EventIds.withPrefix("stn") + "/timeline").then().statusCode(404);
    }

    /**
     * A procedure's station settings (idle window, max deferral) reach its agents with their assignments, the
     * defaults until they are set; a drain the agent reports shows on the pointer with why, and on the timeline.
     */
    @Test
    void stationSettingsReachTheAgentAndADrainIsShown() {
        Assigned a = stationWithAReadyDeployment();
        String token = a.station().agentToken();
        String settings = "/v2/procedures/" + a.procedure() + "/station-settings";
        JsonPath defaults = api().get(settings).then().statusCode(200).extract().jsonPath();
        assertThat(defaults.getBoolean("defaults")).isTrue();
        assertThat(defaults.getLong("idle_window_seconds")).isZero();
        assertThat(defaults.getLong("max_deferral_seconds")).isEqualTo(3600);
        JsonPath before = agent(token).get("/agent/v1/assignments").then().statusCode(200).extract().jsonPath();
        assertThat(before.getLong("assignments[0].idle_window_seconds")).isZero();
        assertThat(before.getLong("assignments[0].max_deferral_seconds")).isEqualTo(3600);
        String etag = agent(token).get("/agent/v1/assignments").header("ETag");

        JsonPath saved = api().body(Map.of("idle_window_seconds", 120, "max_deferral_seconds", 900)).put(settings)
                .then().statusCode(200).extract().jsonPath();
        assertThat(saved.getBoolean("defaults")).isFalse();
        assertThat(saved.getLong("idle_window_seconds")).isEqualTo(120);
        io.restassured.response.Response after = agent(token).header("If-None-Match", etag)
                .get("/agent/v1/assignments");
        assertThat(after.statusCode()).as("the settings change the assignments' ETag").isEqualTo(200);
        assertThat(after.jsonPath().getLong("assignments[0].idle_window_seconds")).isEqualTo(120);
        assertThat(after.jsonPath().getLong("assignments[0].max_deferral_seconds")).isEqualTo(900);

        api().body(Map.of("idle_window_seconds", -1, "max_deferral_seconds", 900)).put(settings).then()
                .statusCode(400).contentType("application/problem+json");
        api().body(Map.of("idle_window_seconds", 1)).put(settings).then().statusCode(400);
        api().body(Map.of("idle_window_seconds", 1, "max_deferral_seconds", 8 * 86_400)).put(settings).then()
                .statusCode(400);
        RestAssured.given().auth().oauth2(FakePeers.MEMBER_API_KEY).contentType("application/json")
                .body(Map.of("idle_window_seconds", 1, "max_deferral_seconds", 1)).put(settings).then()
                .statusCode(403);
        RestAssured.given().auth().oauth2(FakePeers.VIEWER_API_KEY).get(settings).then().statusCode(200);
        RestAssured.given().auth().oauth2(FakePeers.OTHER_API_KEY).get(settings).then().statusCode(404);
        RestAssured.given().auth().oauth2(FakePeers.OTHER_API_KEY).contentType("application/json")
                .body(Map.of("idle_window_seconds", 1, "max_deferral_seconds", 1)).put(settings).then()
                .statusCode(404);

        String path = "/agent/v1/pointers/" + a.procedure() + "/state";
        agent(token).body(Map.of("deployment_id", a.deployment(), "state", "staged")).put(path).then().statusCode(200);
        Object stagedSince = pointer(a.station().id(), a.procedure()).get("staged_since");
        agent(token).body(Map.of("deployment_id", a.deployment(), "state", "draining", "reason",
                "staged longer than the procedure's max deferral of 900 s")).put(path).then().statusCode(200);
        Map<String, Object> draining = pointer(a.station().id(), a.procedure());
        assertThat(draining.get("agent_state")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("state", "draining")
                .containsEntry("reason", "staged longer than the procedure's max deferral of 900 s");
        assertThat(draining.get("staged_since")).as("still staged while draining").isEqualTo(stagedSince);
        JsonPath timeline = api().get("/v2/stations/" + a.station().id() + "/timeline").then().statusCode(200)
                .extract().jsonPath();
        assertThat(timeline.getString("data[0].kind")).isEqualTo("draining");
        assertThat(timeline.getString("data[0].reason")).contains("max deferral");

        api().delete(settings).then().statusCode(204);
        assertThat(api().get(settings).then().statusCode(200).extract().jsonPath().getBoolean("defaults")).isTrue();
    }

    @Test
    void aRunRequestReachesTheAgentAndRunsArePublishedOnStationRuns() {
        Assigned a = stationWithAReadyDeployment();
        String token = a.station().agentToken();

        JsonPath request = api().body(Map.of("procedure_id", a.procedure()))
                .post("/v2/stations/" + a.station().id() + "/run-requests").then().statusCode(202).extract().jsonPath();
        String requestId = request.getString("id");
        assertThat(requestId).matches("rrq_[0-9a-z]{26}");

        JsonPath seen = agent(token).get("/agent/v1/assignments").then().statusCode(200).extract().jsonPath();
        assertThat(seen.getList("run_requests.id")).containsExactly(requestId);
        assertThat(seen.getList("run_requests.procedure_id")).containsExactly(a.procedure());

        String runId = EventIds.withPrefix("run");
        Instant startedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Map<String, Object> started = new HashMap<>(Map.of("run_id", runId, "procedure_id", a.procedure(),
                "deployment_id", a.deployment(), "phase", "started", "at", startedAt.toString(),
                "run_request_id", requestId));
        agent(token).body(started).post("/agent/v1/runs").then().statusCode(202);
        agent(token).body(started).post("/agent/v1/runs").then().statusCode(200); // retried report

        assertThat(agent(token).get("/agent/v1/assignments").then().statusCode(200).extract().jsonPath()
                .getList("run_requests")).as("the request was claimed by the run").isEmpty();

        Map<String, Object> finished = Map.of("run_id", runId, "procedure_id", a.procedure(),
                "deployment_id", a.deployment(), "phase", "finished", "outcome", "passed",
                "at", startedAt.plusSeconds(5).toString(), "duration_ms", 5000);
        agent(token).body(finished).post("/agent/v1/runs").then().statusCode(202);
        agent(token).body(finished).post("/agent/v1/runs").then().statusCode(200);

        // The outbox relay passes every second; WAIT only absorbs a slow shared machine.
        List<ConsumerRecord<String, String>> records = TestSupport.recordsOf(Topics.STATION_RUNS, a.station().id(),
                rs -> rs.size() >= 2, TestSupport.WAIT);
        assertThat(records).as("station.runs records of the station (outbox rows left: %s)",
                TestSupport.count("select count(*) from outbox where topic = ?", Topics.STATION_RUNS)).hasSize(2);
        records = TestSupport.recordsOf(Topics.STATION_RUNS, a.station().id(), rs -> rs.size() > 2,
                java.time.Duration.ofSeconds(3));
        records.forEach(TestSupport::assertValidEvent);
        List<StationRun> runs = records.stream()
                .map(r -> EventCodec.data(EventCodec.parse(r.value()), StationRun.class)).toList();
        assertThat(runs).extracting(StationRun::phase).containsExactly("started", "finished");
        assertThat(runs).allSatisfy(r -> {
            assertThat(r.runId()).isEqualTo(runId);
            assertThat(r.stationId()).isEqualTo(a.station().id());
            assertThat(r.orgId()).isEqualTo(FakePeers.ORG_ID);
            assertThat(r.procedureId()).isEqualTo(a.procedure());
            assertThat(r.deploymentId()).isEqualTo(a.deployment());
        });
        assertThat(runs.get(0).at()).isEqualTo(startedAt);
        assertThat(runs.get(0).outcome()).isNull();
        assertThat(runs.get(1).outcome()).isEqualTo("passed");
        assertThat(runs.get(1).durationMs()).isEqualTo(5000L);

        JsonPath listed = api().get("/v2/stations/" + a.station().id() + "/runs").then().statusCode(200)
                .extract().jsonPath();
        assertThat(listed.getList("data.id")).containsExactly(runId);
        assertThat(listed.getString("data[0].status")).isEqualTo("finished");
        assertThat(listed.getString("data[0].outcome")).isEqualTo("passed");
        JsonPath timeline = api().get("/v2/stations/" + a.station().id() + "/timeline").then().statusCode(200)
                .extract().jsonPath();
        assertThat(timeline.getString("data[0].kind")).isEqualTo("run_finished");
        assertThat(timeline.getString("data[0].run_id")).isEqualTo(runId);
        assertThat(timeline.getString("data[0].outcome")).isEqualTo("passed");
        assertThat(timeline.getString("data[0].deployment_id")).isEqualTo(a.deployment());
        assertThat(listed.getString("data[0].run_request_id")).isEqualTo(requestId);
    }

    /** A run request names the unit; the finished report carries it and each phase's outcome, to the API and the topic. */
    @Test
    void aRunCarriesItsUnitAndEachPhasesOutcome() {
        Assigned a = stationWithAReadyDeployment();
        String token = a.station().agentToken();
        String requestId = api().body(Map.of("procedure_id", a.procedure(), "serial_number", " PB-000042 "))
                .post("/v2/stations/" + a.station().id() + "/run-requests").then().statusCode(202)
                .body("serial_number", org.hamcrest.Matchers.equalTo("PB-000042")).extract().path("id");
        JsonPath seen = agent(token).get("/agent/v1/assignments").then().statusCode(200).extract().jsonPath();
        assertThat(seen.getList("run_requests.serial_number")).containsExactly("PB-000042");
        api().body(Map.of("procedure_id", a.procedure(), "serial_number", "PB\u0000"))
                .post("/v2/stations/" + a.station().id() + "/run-requests").then().statusCode(400)
                .contentType("application/problem+json");

        String runId = EventIds.withPrefix("run");
        agent(token).body(Map.of("run_id", runId, "procedure_id", a.procedure(), "deployment_id", a.deployment(),
                "phase", "started", "run_request_id", requestId, "serial_number", "PB-000042"))
                .post("/agent/v1/runs").then().statusCode(202);
        List<Map<String, Object>> phases = List.of(
                Map.of("key", "power_on", "name", "Power On", "group", "setup", "outcome", "pass", "attempts", 1,
                        "duration_ms", 12),
                Map.of("key", "voltage", "name", "Output Voltage", "group", "main", "outcome", "fail", "attempts", 1,
                        "duration_ms", 80, "message", "measurement out of limits: output_voltage",
                        "measurements", List.of(Map.of("key", "output_voltage", "unit", "V", "value", 5.4,
                                "outcome", "FAIL"))),
                Map.of("key", "power_off", "group", "teardown", "outcome", "pass"));
        Map<String, Object> bad = new HashMap<>(Map.of("run_id", runId, "procedure_id", a.procedure(),
                "deployment_id", a.deployment(), "phase", "finished", "outcome", "failed",
                "phase_results", List.of(Map.of("key", "x", "group", "middle", "outcome", "pass"))));
        agent(token).body(bad).post("/agent/v1/runs").then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.containsString("phase_results[0].group"));
        bad.put("phase_results", List.of(Map.of("key", "x", "outcome", "pass")));
        agent(token).body(bad).post("/agent/v1/runs").then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.containsString("phase_results[0].group"));
        agent(token).body(Map.of("run_id", runId, "procedure_id", a.procedure(), "deployment_id", a.deployment(),
                "phase", "finished", "outcome", "failed", "duration_ms", 120, "serial_number", "PB-000042",
                "phase_results", phases)).post("/agent/v1/runs").then().statusCode(202);

        JsonPath listed = api().get("/v2/stations/" + a.station().id() + "/runs").then().statusCode(200)
                .extract().jsonPath();
        assertThat(listed.getString("data[0].serial_number")).isEqualTo("PB-000042");
        assertThat(listed.getList("data[0].phases.key")).containsExactly("power_on", "voltage", "power_off");
        assertThat(listed.getList("data[0].phases.outcome")).containsExactly("pass", "fail", "pass");
        assertThat(listed.getFloat("data[0].phases[1].measurements[0].value")).isEqualTo(5.4f);

        List<ConsumerRecord<String, String>> records = TestSupport.recordsOf(Topics.STATION_RUNS, a.station().id(),
                rs -> rs.size() >= 2, TestSupport.WAIT);
        records.forEach(TestSupport::assertValidEvent);
        StationRun finished = EventCodec.data(EventCodec.parse(records.get(records.size() - 1).value()),
                StationRun.class);
        assertThat(finished.serialNumber()).isEqualTo("PB-000042");
        assertThat(finished.phases()).extracting(StationRun.PhaseResult::outcome).containsExactly("pass", "fail",
                "pass");
        assertThat(finished.phases().get(1).measurements().get(0).outcome()).isEqualTo("FAIL");
    }

    @Test
    void aRunReportsTheDeploymentItStartedOn() {
        Assigned a = stationWithAReadyDeployment();
        String token = a.station().agentToken();
        String runId = EventIds.withPrefix("run");
        agent(token).body(Map.of("run_id", runId, "procedure_id", a.procedure(), "deployment_id", a.deployment(),
                "phase", "started")).post("/agent/v1/runs").then().statusCode(202);
        // A newer deployment arrives during the run.
        String newer = EventIds.withPrefix("dep");
        send(ready(a.procedure(), newer, 2, "production", null));
        awaitPointerAt(a.station().id(), a.procedure(), newer);

        agent(token).body(Map.of("run_id", runId, "procedure_id", a.procedure(), "deployment_id", newer,
                "phase", "finished", "outcome", "passed")).post("/agent/v1/runs").then().statusCode(409);
        agent(token).body(Map.of("run_id", runId, "procedure_id", a.procedure(), "deployment_id", a.deployment(),
                "phase", "finished", "outcome", "failed")).post("/agent/v1/runs").then().statusCode(202);
        agent(token).body(Map.of("run_id", EventIds.withPrefix("run"), "procedure_id", a.procedure(),
                "deployment_id", a.deployment(), "phase", "finished", "outcome", "maybe"))
                .post("/agent/v1/runs").then().statusCode(400).contentType("application/problem+json");
    }
}
