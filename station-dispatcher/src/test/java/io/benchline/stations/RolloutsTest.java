package io.benchline.stations;

import io.benchline.events.EventIds;
import io.benchline.events.PointerMoved;
import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.benchline.stations.TestSupport.api;
import static io.benchline.stations.TestSupport.await;
import static io.benchline.stations.TestSupport.awaitProcessed;
import static io.benchline.stations.TestSupport.count;
import static io.benchline.stations.TestSupport.fleetOnFirstDeployment;
import static io.benchline.stations.TestSupport.insertLinkedStations;
import static io.benchline.stations.TestSupport.newProcedure;
import static io.benchline.stations.TestSupport.ready;
import static io.benchline.stations.TestSupport.readyWithoutAutoPush;
import static io.benchline.stations.TestSupport.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rolling rollouts against real PostgreSQL and Kafka: stages by count and percent with canaries first, by hand and
 * by timer, pause and resume, abort back to what each station had, a procedure's plan instead of fan-out, a newer
 * deployment superseding an active rollout, the per-stage and per-station figures, and the health gate (yield,
 * failure rate and run duration).
 */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = TestSupport.DATABASE),
        @ResourceArg(name = "kafka", value = "true")})
@QuarkusTestResource(FakePeers.class)
class RolloutsTest {

    private static void awaitOn(String procedure, String deployment, long stations) {
        await(stations + " stations of " + procedure + " on " + deployment, () -> count(
                "select count(*) from pointers where deployment_id = ?", deployment) == stations);
    }

    /** Waits until every fan-out job of the rollout has finished, so a count is final. */
    private static void awaitJobsDone(String rollout) {
        await("the jobs of " + rollout + " finished", () -> count(
                "select count(*) from fanout_jobs where rollout_id = ? and finished_at is null", rollout) == 0
                && count("select count(*) from fanout_jobs where rollout_id = ?", rollout) > 0);
    }

    private static JsonPath post(String path, int status) {
        return api().body(Map.of()).post(path).then().statusCode(status).extract().jsonPath();
    }

    @Test
    void stagesMoveCanariesFirstThenByPercentAndCompletingMakesThePreviousTheRollbackTarget() {
        String procedure = newProcedure();
        String prefix = insertLinkedStations(procedure, 10);
        String canaryA = TestSupport.createStation().id();
        String canaryB = TestSupport.createStation().id();
        TestSupport.link(canaryA, procedure, "production", null);
        TestSupport.link(canaryB, procedure, "production", null);
        String first = EventIds.withPrefix("dep");
        awaitProcessed(send(ready(procedure, first, 1, "production", null)).id());
        awaitOn(procedure, first, 12);
        String[] fleet = {procedure, prefix, first};
        String next = readyWithoutAutoPush(procedure, 2);

        JsonPath created = api().body(Map.of("deployment_id", next, "stages", List.of(Map.of("stations", 2),
                        Map.of("percent", 50), Map.of("percent", 100)), "canary_station_ids", List.of(canaryA, canaryB),
                        "note", "line 3 first")).post("/v2/rollouts").then().statusCode(201).extract().jsonPath();
        String rollout = created.getString("id");
        assertThat(rollout).matches("rol_[0-9a-z]{26}");
        assertThat(created.getString("state")).isEqualTo("running");
        assertThat(created.getInt("station_count")).isEqualTo(12);
        assertThat(created.getList("stages.target", Integer.class)).containsExactly(2, 6, 12);
        assertThat(created.getString("previous_deployment_id")).isEqualTo(fleet[2]);
        awaitJobsDone(rollout);
        assertThat(TestSupport.pointer(canaryA, procedure).get("deployment_id")).isEqualTo(next);
        assertThat(TestSupport.pointer(canaryB, procedure).get("deployment_id")).isEqualTo(next);
        assertThat(count("select count(*) from pointers where deployment_id = ?", next)).isEqualTo(2);
        JsonPath canaries = api().get("/v2/rollouts/" + rollout + "/stations?stage=0").then().statusCode(200)
                .extract().jsonPath();
        assertThat(canaries.getList("data.station_id", String.class)).containsExactly(canaryA, canaryB);
        assertThat(canaries.getList("data.canary", Boolean.class)).containsExactly(true, true);
        assertThat(canaries.getList("data.desired_deployment_id", String.class)).containsExactly(next, next);

        JsonPath advanced = post("/v2/rollouts/" + rollout + "/advance", 200);
        assertThat(advanced.getInt("stage")).isEqualTo(1);
        awaitOn(procedure, next, 6);
        JsonPath status = api().get("/v2/rollouts/" + rollout).then().statusCode(200).extract().jsonPath();
        assertThat(status.getList("stages.moved", Integer.class)).containsExactly(2, 6, 6);
        assertThat(status.getList("stages.state", String.class)).containsExactly("done", "current", "pending");

        assertThat(post("/v2/rollouts/" + rollout + "/pause", 200).getString("state")).isEqualTo("paused");
        assertThat(post("/v2/rollouts/" + rollout + "/advance", 409).getString("type")).endsWith("/rollout-paused");
        assertThat(post("/v2/rollouts/" + rollout + "/resume", 200).getString("state")).isEqualTo("running");

        JsonPath done = post("/v2/rollouts/" + rollout + "/advance", 200);
        assertThat(done.getString("state")).isEqualTo("completed");
        assertThat(done.getString("rollback_target")).isEqualTo(fleet[2]);
        awaitOn(procedure, next, 12);
        assertThat(post("/v2/rollouts/" + rollout + "/advance", 409).getString("type")).endsWith("/rollout-finished");
        assertThat(api().get("/v2/rollouts/" + rollout).then().extract().jsonPath().getList("history.action",
                String.class)).containsExactly("completed", "advanced", "resumed", "paused", "advanced", "created");
        // Every stage move is one rollout_stage event with the pointer's next version.
        Map<String, List<PointerMoved>> moves = TestSupport.movesTo(next, 12, TestSupport.WAIT);
        assertThat(moves.values()).allSatisfy(list -> {
            assertThat(list).hasSize(1);
            assertThat(list.get(0).reason()).isEqualTo("rollout_stage");
            assertThat(list.get(0).pointerVersion()).isEqualTo(2);
        });
        assertThat(api().get("/v2/rollouts?procedure_id=" + procedure).then().statusCode(200).extract().jsonPath()
                .getList("data.id", String.class)).containsExactly(rollout);
        assertThat(api().get("/v2/procedures/" + procedure + "/rollouts").then().statusCode(200).extract().jsonPath()
                .getList("data.id", String.class)).containsExactly(rollout);
    }

    @Test
    void anAbortSendsTheRolloutsStationsBackAndLeavesTheOthersAlone() {
        String[] fleet = fleetOnFirstDeployment();
        String procedure = fleet[0];
        String next = readyWithoutAutoPush(procedure, 2);
        String rollout = api().body(Map.of("deployment_id", next, "stages", List.of(Map.of("stations", 3),
                        Map.of("percent", 100)))).post("/v2/rollouts").then().statusCode(201).extract().path("id");
        awaitJobsDone(rollout);
        assertThat(count("select count(*) from pointers where deployment_id = ?", next)).isEqualTo(3);

        JsonPath aborted = api().body(Map.of("note", "first-pass yield dropped")).post("/v2/rollouts/" + rollout
                + "/abort").then().statusCode(200).extract().jsonPath();
        assertThat(aborted.getString("state")).isEqualTo("aborted");
        awaitOn(procedure, fleet[2], 10);
        assertThat(count("select count(*) from pointers where deployment_id = ?", next)).isZero();
        assertThat(aborted.getString("history[0].note")).isEqualTo("first-pass yield dropped");
        post("/v2/rollouts/" + rollout + "/resume", 409);
        // A new rollout of the same deployment may start again once this one is over.
        String again = api().body(Map.of("deployment_id", next, "stages", List.of(Map.of("percent", 100))))
                .post("/v2/rollouts").then().statusCode(201).body("state", org.hamcrest.Matchers.equalTo("completed"))
                .extract().path("id");
        awaitOn(procedure, next, 10);
        // The procedure's rollouts, newest first, as GET /v2/rollouts?procedure_id= lists them.
        JsonPath ofProcedure = api().get("/v2/procedures/" + procedure + "/rollouts").then().statusCode(200)
                .extract().jsonPath();
        assertThat(ofProcedure.getList("data.id", String.class)).containsExactly(again, rollout);
        assertThat(ofProcedure.<Object>getList("data")).isEqualTo(api().get("/v2/rollouts?procedure_id="
                + procedure).then().extract().jsonPath().getList("data"));
        assertThat(api().get("/v2/procedures/" + procedure + "/rollouts?limit=1").then().statusCode(200).extract()
                .jsonPath().getList("data.id", String.class)).containsExactly(again);
        api().get("/v2/procedures/" + procedure + "/rollouts?limit=0").then().statusCode(400);
        api().get("/v2/procedures/not-a-procedure/rollouts").then().statusCode(400);
        assertThat(api().get("/v2/procedures/" + newProcedure() + "/rollouts").then().statusCode(200).extract()
                .jsonPath().getList("data")).isEmpty();
    }

    @Test
    void eachStageShowsItsDesiredStagedAndActualStationsAndTheStationsArePagedByRank() {
        String[] fleet = fleetOnFirstDeployment();
        String procedure = fleet[0];
        String next = readyWithoutAutoPush(procedure, 2);
        String rollout = api().body(Map.of("deployment_id", next, "stages", List.of(Map.of("stations", 2),
                        Map.of("percent", 50), Map.of("percent", 100)))).post("/v2/rollouts").then().statusCode(201)
                .extract().path("id");
        awaitJobsDone(rollout);
        post("/v2/rollouts/" + rollout + "/advance", 200);
        awaitOn(procedure, next, 5);
        // What agents would report: rank 0 runs the new deployment, rank 2 has it staged, rank 3 drains towards it.
        List<String> ranks = ranked(rollout, true, 10);
        TestSupport.execute("update pointers set actual_deployment_id = ?, agent_state = 'active',"
                + " agent_state_deployment_id = ? where station_id = ? and procedure_id = ?", next, next,
                ranks.get(0), procedure);
        TestSupport.execute("update pointers set agent_state = 'staged', agent_state_deployment_id = ?,"
                + " staged_since = now() where station_id = ? and procedure_id = ?", next, ranks.get(2), procedure);
        TestSupport.execute("update pointers set agent_state = 'draining', agent_state_deployment_id = ?,"
                + " staged_since = now() where station_id = ? and procedure_id = ?", next, ranks.get(3), procedure);

        JsonPath status = api().get("/v2/rollouts/" + rollout).then().statusCode(200).extract().jsonPath();
        assertThat(status.getList("stages.in_stage.stations", Integer.class)).containsExactly(2, 3, 5);
        assertThat(status.getList("stages.in_stage.desired", Integer.class)).containsExactly(2, 3, 0);
        assertThat(status.getList("stages.in_stage.staged", Integer.class)).containsExactly(0, 2, 0);
        assertThat(status.getList("stages.in_stage.actual", Integer.class)).containsExactly(1, 0, 0);
        assertThat(status.getList("stages.moved", Integer.class)).containsExactly(2, 5, 5);

        JsonPath first = api().get("/v2/rollouts/" + rollout + "/stations?limit=4").then().statusCode(200).extract()
                .jsonPath();
        assertThat(first.getList("data.station_id", String.class)).isEqualTo(ranks.subList(0, 4));
        assertThat(first.getList("data.rank", Integer.class)).containsExactly(0, 1, 2, 3);
        assertThat(first.getList("data.stage", Integer.class)).containsExactly(0, 0, 1, 1);
        assertThat(first.getList("data.name", String.class)).allSatisfy(name -> assertThat(name).isNotBlank());
        assertThat(first.getString("data[0].actual_deployment_id")).isEqualTo(next);
        assertThat(first.getString("data[0].agent_state")).isEqualTo("active");
        assertThat(first.getString("data[0].staged_deployment_id")).isNull();
        assertThat(first.getString("data[0].from_deployment_id")).isEqualTo(fleet[2]);
        assertThat(first.getString("data[2].staged_deployment_id")).isEqualTo(next);
        assertThat(first.getString("data[2].staged_since")).isNotNull();
        assertThat(first.getString("data[3].agent_state")).isEqualTo("draining");
        assertThat(first.getString("data[3].staged_deployment_id")).isEqualTo(next);
        assertThat(first.getList("data.desired_deployment_id", String.class)).containsOnly(next);
        String cursor = first.getString("next_cursor");
        assertThat(cursor).isEqualTo("rnk_3");

        JsonPath second = api().get("/v2/rollouts/" + rollout + "/stations?limit=4&cursor=" + cursor).then()
                .statusCode(200).extract().jsonPath();
        assertThat(second.getList("data.rank", Integer.class)).containsExactly(4, 5, 6, 7);
        JsonPath last = api().get("/v2/rollouts/" + rollout + "/stations?limit=4&cursor="
                + second.getString("next_cursor")).then().statusCode(200).extract().jsonPath();
        assertThat(last.getList("data.rank", Integer.class)).containsExactly(8, 9);
        assertThat(last.getString("next_cursor")).isNull();

        JsonPath middle = api().get("/v2/rollouts/" + rollout + "/stations?stage=1").then().statusCode(200).extract()
                .jsonPath();
        assertThat(middle.getList("data.rank", Integer.class)).containsExactly(2, 3, 4);
        JsonPath rest = api().get("/v2/rollouts/" + rollout + "/stations?stage=2&limit=2&cursor=rnk_6").then()
                .statusCode(200).extract().jsonPath();
        assertThat(rest.getList("data.rank", Integer.class)).containsExactly(7, 8);
        assertThat(rest.getList("data.desired_deployment_id", String.class)).containsOnly(fleet[2]);

        for (String bad : List.of("stage=3", "stage=-1", "stage=one", "limit=0", "limit=1001", "cursor=7",
                "cursor=rnk_x")) {
            api().get("/v2/rollouts/" + rollout + "/stations?" + bad).then().statusCode(400);
        }
        api().get("/v2/rollouts/" + EventIds.withPrefix("rol") + "/stations").then().statusCode(404);
    }

    @Test
    void aStageWaitAdvancesByItself() {
        String[] fleet = fleetOnFirstDeployment();
        String next = readyWithoutAutoPush(fleet[0], 2);
        String rollout = api().body(Map.of("deployment_id", next, "stages", List.of(Map.of("stations", 1),
                        Map.of("percent", 100)), "wait", "1s")).post("/v2/rollouts").then().statusCode(201)
                .body("wait", org.hamcrest.Matchers.equalTo("1s"))
                .body("advance_at", org.hamcrest.Matchers.notNullValue()).extract().path("id");
        await("the timer completed " + rollout, () -> "completed".equals(api().get("/v2/rollouts/" + rollout)
                .then().extract().path("state")));
        awaitOn(fleet[0], next, 10);
        JsonPath history = api().get("/v2/rollouts/" + rollout).then().extract().jsonPath();
        assertThat(history.getString("history[1].action")).isEqualTo("advanced");
        assertThat(history.getString("history[1].by.name")).isEqualTo("benchline");
        assertThat(history.getString("history[1].note")).contains("wait");
    }

    @Test
    void badRolloutsAreRefused() {
        String[] fleet = fleetOnFirstDeployment();
        String procedure = fleet[0];
        String next = readyWithoutAutoPush(procedure, 2);
        Map<String, Object> good = new HashMap<>(Map.of("deployment_id", next, "stages",
                List.of(Map.of("stations", 1), Map.of("percent", 100))));

        assertThat(rollout(Map.of("deployment_id", next, "stages", List.of(Map.of("percent", 50))), 400)
                .getString("errors[0].message")).contains("last stage must reach every station");
        rollout(Map.of("deployment_id", next, "stages", List.of(Map.of("stations", 5), Map.of("stations", 3),
                Map.of("percent", 100))), 400);
        rollout(Map.of("deployment_id", next, "stages", List.of(Map.of("percent", 0), Map.of("percent", 100))), 400);
        rollout(Map.of("deployment_id", next, "stages", List.of(Map.of("stations", 1, "percent", 5),
                Map.of("percent", 100))), 400);
        rollout(Map.of("deployment_id", next, "stages", List.of()), 400);
        Map<String, Object> badCanary = new HashMap<>(good);
        badCanary.put("canary_station_ids", List.of(EventIds.withPrefix("stn")));
        rollout(badCanary, 400);
        Map<String, Object> badWait = new HashMap<>(good);
        badWait.put("wait", "soon");
        rollout(badWait, 400);
        assertThat(rollout(Map.of("deployment_id", fleet[2], "stages", List.of(Map.of("percent", 100))), 409)
                .getString("type")).endsWith("/already-fanned-out");
        String preview = EventIds.withPrefix("dep");
        awaitProcessed(send(ready(procedure, preview, 3, "preview", "feature")).id());
        assertThat(rollout(Map.of("deployment_id", preview, "stages", List.of(Map.of("percent", 100))), 409)
                .getString("type")).endsWith("/not-rollable");
        rollout(Map.of("deployment_id", EventIds.withPrefix("dep"), "stages", List.of(Map.of("percent", 100))), 404);

        String first = rollout(good, 201).getString("id");
        assertThat(rollout(good, 409).getString("type")).endsWith("/rollout-active");
        post("/v2/rollouts/" + first + "/abort", 200);
        api().get("/v2/rollouts/" + EventIds.withPrefix("rol")).then().statusCode(404);
    }

    @Test
    void aPlanRollsOutAReadyDeploymentAndANewerOneSupersedesIt() {
        String[] fleet = fleetOnFirstDeployment();
        String procedure = fleet[0];
        JsonPath plan = api().body(Map.of("stages", List.of(Map.of("stations", 2), Map.of("percent", 100))))
                .put("/v2/rollouts/plans/" + procedure).then().statusCode(200).extract().jsonPath();
        assertThat(plan.getList("stages.stations")).containsExactly(2, null);
        api().body(Map.of("stages", List.of(Map.of("percent", 50)))).put("/v2/rollouts/plans/" + procedure).then()
                .statusCode(400);

        String second = EventIds.withPrefix("dep");
        awaitProcessed(send(ready(procedure, second, 2, "production", null)).id());
        JsonPath list = api().get("/v2/rollouts?procedure_id=" + procedure).then().statusCode(200).extract()
                .jsonPath();
        String rollout = list.getString("data[0].id");
        assertThat(list.getBoolean("data[0].from_plan")).isTrue();
        assertThat(list.getString("data[0].deployment_id")).isEqualTo(second);
        awaitJobsDone(rollout);
        assertThat(count("select count(*) from pointers where deployment_id = ?", second))
                .as("the plan's first stage, not every station").isEqualTo(2);

        String third = EventIds.withPrefix("dep");
        awaitProcessed(send(ready(procedure, third, 3, "production", null)).id());
        assertThat(api().get("/v2/rollouts/" + rollout).then().extract().<String>path("state")).isEqualTo("superseded");
        JsonPath after = api().get("/v2/rollouts?procedure_id=" + procedure).then().extract().jsonPath();
        assertThat(after.getString("data[0].deployment_id")).isEqualTo(third);
        assertThat(after.getString("data[0].state")).isEqualTo("running");
        String newer = after.getString("data[0].id");
        awaitJobsDone(newer);
        assertThat(count("select count(*) from pointers where deployment_id = ?", third)).isEqualTo(2);

        api().delete("/v2/rollouts/plans/" + procedure).then().statusCode(204);
        api().get("/v2/rollouts/plans/" + procedure).then().statusCode(404);
    }

    private static JsonPath rollout(Map<String, Object> body, int status) {
        return api().body(body).post("/v2/rollouts").then().statusCode(status).extract().jsonPath();
    }

    /** Finished runs on a deployment: {@code failed} of them failed, each for its own unit. */
    private static void runs(List<String> stations, String procedure, String deployment, int total, int failed,
            String unitPrefix) {
        for (int i = 0; i < total; i++) {
            TestSupport.execute("insert into runs (id, station_id, procedure_id, deployment_id, started_at, finished_at,"
                            + " outcome, duration_ms, created_at, serial_number)"
                            + " values (?, ?, ?, ?, now(), now(), ?, 1000, now(), ?)", EventIds.withPrefix("run"),
                    stations.get(i % stations.size()), procedure, deployment, i < failed ? "failed" : "passed",
                    unitPrefix + "-" + i);
        }
    }

    /** Finished passed runs on a deployment, each for its own unit, alternately {@code spread} ms below and above. */
    private static void timedRuns(List<String> stations, String procedure, String deployment, int total, long meanMs,
            long spreadMs, String unitPrefix) {
        for (int i = 0; i < total; i++) {
            TestSupport.execute("insert into runs (id, station_id, procedure_id, deployment_id, started_at, finished_at,"
                            + " outcome, duration_ms, created_at, serial_number)"
                            + " values (?, ?, ?, ?, now(), now(), 'passed', ?, now(), ?)", EventIds.withPrefix("run"),
                    stations.get(i % stations.size()), procedure, deployment,
                    i % 2 == 0 ? meanMs - spreadMs : meanMs + spreadMs, unitPrefix + "-" + i);
        }
    }

    /** Stations of the rollout ranked below {@code target} ({@code canary}) or from it on, in rank order. */
    private static List<String> ranked(String rollout, boolean canary, int target) {
        List<String> out = new java.util.ArrayList<>();
        for (int rank = 0; rank < 10; rank++) {
            List<Object> row = TestSupport.row("select station_id from rollout_stations where rollout_id = ?"
                    + " and rank = ?", rollout, rank);
            if (row != null && (rank < target) == canary) {
                out.add((String) row.get(0));
            }
        }
        return out;
    }

    private static String gated(String deployment, Map<String, Object> gate) {
        return api().body(Map.of("deployment_id", deployment, "stages", List.of(Map.of("stations", 3),
                        Map.of("percent", 100)), "gate", gate)).post("/v2/rollouts").then().statusCode(201)
                .body("gate.min_runs", org.hamcrest.Matchers.equalTo(gate.get("min_runs")))
                .extract().path("id");
    }

    private static JsonPath awaitState(String rollout, String state) {
        await(rollout + " " + state, () -> state.equals(api().get("/v2/rollouts/" + rollout).then().extract()
                .path("state")));
        return api().get("/v2/rollouts/" + rollout).then().extract().jsonPath();
    }

    @Test
    void theGateAbortsACanaryWhoseFirstPassYieldDropsAndEveryCanaryGoesBack() {
        String[] fleet = fleetOnFirstDeployment();
        String next = readyWithoutAutoPush(fleet[0], 2);
        String rollout = gated(next, Map.of("min_runs", 10, "min_wait", "1s", "timeout", "1h", "confidence", 0.95));
        awaitJobsDone(rollout);
        JsonPath waiting = api().get("/v2/rollouts/" + rollout).then().extract().jsonPath();
        assertThat(waiting.getString("verdict.decision")).isEqualTo("wait");

        runs(ranked(rollout, true, 3), fleet[0], next, 12, 6, "canary");
        runs(ranked(rollout, false, 3), fleet[0], fleet[2], 20, 0, "base");
        JsonPath aborted = awaitState(rollout, "aborted");
        assertThat(aborted.getString("history[0].action")).isEqualTo("aborted");
        assertThat(aborted.getString("history[0].by.name")).isEqualTo("benchline");
        assertThat(aborted.getString("history[0].note")).contains("worse than the base").contains("z-test");
        assertThat(aborted.getInt("history[0].figures.canary.runs")).isEqualTo(12);
        assertThat(aborted.getDouble("history[0].figures.canary.first_pass_yield")).isEqualTo(0.5);
        assertThat(aborted.getDouble("history[0].figures.base.first_pass_yield")).isEqualTo(1.0);
        awaitOn(fleet[0], fleet[2], 10);
    }

    @Test
    void theGateAdvancesACanaryThatIsNotWorseUntilTheRolloutCompletes() {
        String[] fleet = fleetOnFirstDeployment();
        String next = readyWithoutAutoPush(fleet[0], 2);
        String rollout = gated(next, Map.of("min_runs", 10, "min_wait", "1s", "timeout", "1h", "confidence", 0.95));
        awaitJobsDone(rollout);
        runs(ranked(rollout, true, 3), fleet[0], next, 12, 1, "canary");
        runs(ranked(rollout, false, 3), fleet[0], fleet[2], 20, 1, "base");
        JsonPath completed = awaitState(rollout, "completed");
        assertThat(completed.getList("history.action", String.class)).containsExactly("completed", "advanced",
                "created");
        assertThat(completed.getString("history[1].note")).contains("not worse");
        assertThat(completed.getInt("history[1].figures.base.runs")).isEqualTo(20);
        assertThat(completed.getString("rollback_target")).isEqualTo(fleet[2]);
        awaitOn(fleet[0], next, 10);
    }

    @Test
    void theGateAbortsACanaryThatRunsSlowerThanItsDurationToleranceAllows() {
        String[] fleet = fleetOnFirstDeployment();
        String next = readyWithoutAutoPush(fleet[0], 2);
        String rollout = api().body(Map.of("deployment_id", next, "stages", List.of(Map.of("stations", 3),
                        Map.of("percent", 100)), "gate", Map.of("min_runs", 10, "min_wait", "1s", "timeout", "1h",
                        "duration_tolerance", 0.2))).post("/v2/rollouts").then().statusCode(201)
                .body("gate.duration_tolerance", org.hamcrest.Matchers.equalTo(0.2f)).extract().path("id");
        awaitJobsDone(rollout);
        // Every run passes: only the duration tells them apart, 2000 ms against 1000 ms (at most 1200 allowed).
        timedRuns(ranked(rollout, true, 3), fleet[0], next, 12, 2000, 100, "canary");
        timedRuns(ranked(rollout, false, 3), fleet[0], fleet[2], 20, 1000, 100, "base");
        JsonPath aborted = awaitState(rollout, "aborted");
        assertThat(aborted.getString("history[0].note")).contains("worse than the base (duration)")
                .contains("mean duration 2000 ms vs 1000 ms, at most 1200 ms allowed (tolerance 20%");
        assertThat(aborted.getDouble("history[0].figures.duration_z"))
                .isGreaterThan(aborted.getDouble("history[0].figures.critical_z"));
        assertThat(aborted.getDouble("history[0].figures.duration_tolerance")).isEqualTo(0.2);
        assertThat(aborted.getDouble("history[0].figures.canary.mean_duration_ms")).isEqualTo(2000.0);
        assertThat(aborted.getDouble("history[0].figures.canary.duration_stddev_ms")).isGreaterThan(100.0);
        assertThat(aborted.getInt("history[0].figures.base.timed_runs")).isEqualTo(20);
        assertThat(aborted.getDouble("history[0].figures.base.first_pass_yield")).isEqualTo(1.0);
        awaitOn(fleet[0], fleet[2], 10);
    }

    @Test
    void aDurationToleranceOutsideItsRangeIsRefused() {
        String[] fleet = fleetOnFirstDeployment();
        String next = readyWithoutAutoPush(fleet[0], 2);
        for (Object tolerance : List.of(0, -0.5, 10.5, "half")) {
            JsonPath problem = api().body(Map.of("deployment_id", next, "stages", List.of(Map.of("stations", 1),
                            Map.of("percent", 100)), "gate", Map.of("duration_tolerance", tolerance)))
                    .post("/v2/rollouts").then().statusCode(400).extract().jsonPath();
            assertThat(problem.getString("errors[0].field")).as("%s", tolerance).contains("duration_tolerance");
        }
        // Without one, the gate holds the canary to 50 %; 10 is the most it takes.
        String rollout = gated(next, Map.of("min_runs", 10, "duration_tolerance", 10));
        assertThat(api().get("/v2/rollouts/" + rollout).then().extract().jsonPath()
                .getDouble("gate.duration_tolerance")).isEqualTo(10.0);
        post("/v2/rollouts/" + rollout + "/abort", 200);
        String defaults = gated(next, Map.of("min_runs", 10));
        assertThat(api().get("/v2/rollouts/" + defaults).then().extract().jsonPath()
                .getDouble("gate.duration_tolerance")).isEqualTo(0.5);
    }

    @Test
    void tooFewRunsByTheGatesTimeoutNeedsAttentionAndAnOperatorDecides() {
        String[] fleet = fleetOnFirstDeployment();
        String next = readyWithoutAutoPush(fleet[0], 2);
        String rollout = gated(next, Map.of("min_runs", 5, "min_wait", "1s", "timeout", "2s", "confidence", 0.9));
        JsonPath attention = awaitState(rollout, "needs_attention");
        assertThat(attention.getString("attention_reason")).contains("too few runs").contains("canary 0 of 5");
        assertThat(attention.getString("history[0].action")).isEqualTo("needs_attention");
        assertThat(attention.getInt("stage")).isZero();
        assertThat(api().body(Map.of("deployment_id", next, "stages", List.of(Map.of("percent", 100))))
                .post("/v2/rollouts").then().statusCode(409).extract().<String>path("type")).endsWith("/rollout-active");
        assertThat(post("/v2/rollouts/" + rollout + "/advance", 200).getString("state")).isEqualTo("completed");
        awaitOn(fleet[0], next, 10);
        api().body(Map.of("deployment_id", next, "stages", List.of(Map.of("stations", 1), Map.of("percent", 100)),
                "gate", Map.of("min_runs", 0))).post("/v2/rollouts").then().statusCode(400);
    }
}
