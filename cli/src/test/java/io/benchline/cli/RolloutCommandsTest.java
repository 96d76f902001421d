package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code benchline rollout …} against {@link FakeApi}. {@code --follow} waits on a {@link CountingPause} that never
 * sleeps: the fake answers a sequence of states and each read comes at once.
 */
@Timeout(60) // a guard against a hang, not a measure
class RolloutCommandsTest {
    private static final String RUNNING = """
            {"id":"rol_1","procedure_id":"prc_1","deployment_id":"dep_2","previous_deployment_id":"dep_1",\
            "state":"running","stage":1,"station_count":20,"wait":"10m","advance_at":"2026-12-01T10:20:00Z",\
            "stages":[{"index":0,"target":2,"moved":2,"active":2,"state":"done"},\
            {"index":1,"target":5,"moved":5,"active":3,"state":"current"},\
            {"index":2,"target":20,"moved":5,"active":3,"state":"pending"}],\
            "created_at":"2026-12-01T10:00:00Z","created_by":{"key_id":"key_1","name":"ci"},"finished_at":null,\
            "history":[{"at":"2026-12-01T10:10:00Z","action":"advance","stage":1,"by":null,"note":null},\
            {"at":"2026-12-01T10:00:00Z","action":"create","stage":0,"by":{"key_id":"key_1","name":"ci"},\
            "note":"fix for line 3"}]}""";
    private static final String NOT_RUNNING = """
            {"type":"https://benchline.io/problems/rollout-not-running","title":"Rollout not running","status":409,\
            "detail":"rollout rol_1 is paused; resume it first"}""";

    private static final String GATE = """
            {"min_runs":20,"min_wait":"5m","timeout":"1h","confidence":0.95}""";
    /** RUNNING with a gate that waits for runs (the server's shape of a verdict). */
    private static final String GATED = RUNNING.replace("\"wait\":\"10m\",\"advance_at\":\"2026-12-01T10:20:00Z\"",
            "\"wait\":null,\"advance_at\":\"2026-12-01T10:15:00Z\"").replace("\"history\":", """
            "gate":%s,"verdict":{"decision":"wait","reason":"waiting for runs: canary 12 of 20 runs, base 31 of 20",\
            "canary":{"runs":12,"passed":11,"failed":1,"errors":0,"units":12,"first_pass_units":11,\
            "mean_duration_ms":812.4,"first_pass_yield":0.9166666666666666,"failure_rate":0.08333333333333333,\
            "error_rate":0.0},"base":{"runs":31,"passed":31,"failed":0,"errors":0,"units":30,"first_pass_units":30,\
            "mean_duration_ms":64250.0,"first_pass_yield":1.0,"failure_rate":0.0,"error_rate":0.0},\
            "yield_z":null,"failure_z":null,"critical_z":1.6448536269514715},"history":""".formatted(GATE));
    private static final String ATTENTION_REASON = "too few runs 1h after the stage started (canary 3 of 20 runs,"
            + " base 31 of 20): advance or abort by hand";
    private static final String NEEDS_ATTENTION = GATED
            .replace("\"state\":\"running\"", "\"state\":\"needs_attention\"")
            .replace("\"advance_at\":\"2026-12-01T10:15:00Z\"", "\"advance_at\":null")
            .replace("\"decision\":\"wait\",\"reason\":\"waiting for runs: canary 12 of 20 runs, base 31 of 20\"",
                    "\"decision\":\"needs_attention\",\"reason\":\"" + ATTENTION_REASON + "\"")
            .replace("\"history\":", "\"attention_reason\":\"" + ATTENTION_REASON + "\",\"history\":");
    private static final String ABORT_VERDICT = """
            {"decision":"abort","reason":"the canary is worse than the base: first-pass yield 0.500 vs 1.000 (z 5.16),\
             failure rate 0.500 vs 0.000 (z 5.16); one-sided two-proportion z-test, worse above 1.64 at 95% confidence",\
            "canary":{"runs":24,"passed":12,"failed":9,"errors":3,"units":24,"first_pass_units":12,\
            "mean_duration_ms":4210.0,"first_pass_yield":0.5,"failure_rate":0.5,"error_rate":0.125},\
            "base":{"runs":40,"passed":40,"failed":0,"errors":0,"units":40,"first_pass_units":40,\
            "mean_duration_ms":3880.0,"first_pass_yield":1.0,"failure_rate":0.0,"error_rate":0.0},\
            "yield_z":5.16,"failure_z":5.16,"critical_z":1.6448536269514715}""";

    private FakeApi api;
    private FakeTerminal terminal;
    private CountingPause pause;

    @BeforeEach
    void start() throws Exception {
        api = new FakeApi();
        terminal = new FakeTerminal(false, null);
        pause = new CountingPause();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    record Result(int exit, String out, String err) {
    }

    /** A pause that never sleeps: each wait is recorded and over at once. */
    static final class CountingPause extends Pause.Stoppable {
        final List<Duration> sleeps = new CopyOnWriteArrayList<>();

        @Override
        public boolean sleep(Duration duration) {
            sleeps.add(duration);
            return stopped();
        }
    }

    private static final class FakeTerminal implements Terminal {
        final boolean interactive;
        final String answer;
        final List<String> questions = new ArrayList<>();

        FakeTerminal(boolean interactive, String answer) {
            this.interactive = interactive;
            this.answer = answer;
        }

        @Override
        public boolean interactive() {
            return interactive;
        }

        @Override
        public boolean confirm(String question) {
            questions.add(question);
            return Terminal.isYes(answer);
        }
    }

    /** Runs {@code benchline <args> --url <fake> --api-key <key>}. */
    private Result run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", api.url(), "--api-key", FakeApi.KEY));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = Main.commandLine(terminal, () -> pause);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(all.toArray(String[]::new));
        return new Result(exit, out.toString(), err.toString());
    }

    /** {@code args} followed by {@code extra}. */
    private static String[] with(List<String> extra, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(extra);
        return all.toArray(String[]::new);
    }

    private static String nl(String... lines) {
        return String.join(System.lineSeparator(), lines) + System.lineSeparator();
    }

    /** RUNNING at another state and stage; a final state has no next advance and a finish time. */
    private static String rollout(String state, int stage) throws IOException {
        ObjectNode r = (ObjectNode) Json.MAPPER.readTree(RUNNING);
        r.put("state", state).put("stage", stage);
        for (JsonNode s : r.path("stages")) {
            int index = s.path("index").asInt();
            ((ObjectNode) s).put("state", index < stage || state.equals("completed") ? "done"
                    : index == stage ? "current" : "pending");
        }
        if (RolloutView.FINAL_STATES.contains(state)) {
            r.putNull("advance_at").put("finished_at", "2026-12-01T11:00:00Z");
        }
        return r.toString();
    }

    private static String block(String json) throws IOException {
        return RolloutView.block(Json.MAPPER.readTree(json));
    }

    // ---- create

    @Test
    void createSendsStagesWaitCanariesAndNote() throws Exception {
        api.answer("POST /v2/rollouts", 201, RUNNING);
        Result r = run("rollout", "create", "dep_2", "--stage", "2", "--stage", "12.5%", "--stage", "100%",
                "--wait", "10m", "--canary", "stn_1", "--canary", "stn_2", "--canary", "stn_1", "--note", "line 3");

        assertThat(r.exit()).as(r.err()).isZero();
        FakeApi.Request request = api.only();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.contentType()).isEqualTo("application/json");
        assertThat(request.authorization()).isEqualTo("Bearer " + FakeApi.KEY);
        assertThat(request.json()).isEqualTo(Json.MAPPER.readTree("""
                {"deployment_id":"dep_2","stages":[{"stations":2},{"percent":12.5},{"percent":100}],\
                "wait":"10m","canary_station_ids":["stn_1","stn_2"],"note":"line 3"}"""));
        assertThat(request.body()).as("a whole percent is sent as a whole number").contains("{\"percent\":100}");
        assertThat(r.out()).isEqualTo(nl("created rollout rol_1") + block(RUNNING));
        assertThat(r.err()).isEmpty();
    }

    @Test
    void createWithoutWaitOrCanariesSendsOnlyTheStages() throws Exception {
        api.answer("POST /v2/rollouts", 201, RUNNING);
        Result r = run("rollout", "create", "dep_2", "--stage", "25%", "--stage", "100%");

        assertThat(r.exit()).isZero();
        assertThat(api.only().json()).isEqualTo(Json.MAPPER.readTree(
                "{\"deployment_id\":\"dep_2\",\"stages\":[{\"percent\":25},{\"percent\":100}]}"));
    }

    @ParameterizedTest
    @CsvSource({"10m, 10m", "600s, 10m", "90s, 90s", "2h, 2h", "PT1H30M, 90m", "45, 45s"})
    void createSendsTheWaitInItsLargestWholeUnit(String given, String sent) throws Exception {
        api.answer("POST /v2/rollouts", 201, RUNNING);
        Result r = run("rollout", "create", "dep_2", "--stage", "100%", "--wait", given);

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(api.only().json().path("wait").asText()).isEqualTo(sent);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "0", "-1", "0%", "101%", "100.5%", "12.5", "%", "25 %", "1e2%", ".5%", "2x",
            "99999999999", ""})
    void aBadStageIsAUsageErrorBeforeAnyRequest(String stage) {
        Result r = run("rollout", "create", "dep_2", "--stage", "2", "--stage", stage);

        assertThat(r.exit()).isEqualTo(Exit.USAGE);
        assertThat(r.err()).contains("--stage");
        assertThat(api.requests).isEmpty();
    }

    @Test
    void aBadStageSaysWhatAStageIs() {
        Result r = run("rollout", "create", "dep_2", "--stage", "half");
        assertThat(r.err()).contains("'half' is not a stage: N stations (e.g. 2) or N percent of them");
        assertThat(run("rollout", "create", "dep_2", "--stage", "120%").err())
                .contains("a percent is more than 0 and at most 100");
    }

    @Test
    void createNeedsAStageAndAValidWait() {
        assertThat(run("rollout", "create", "dep_2").exit()).isEqualTo(Exit.USAGE);
        assertThat(run("rollout", "create", "dep_2", "--stage", "100%", "--wait", "soon").exit())
                .isEqualTo(Exit.USAGE);
        Result subSecond = run("rollout", "create", "dep_2", "--stage", "100%", "--wait", "1500ms");
        assertThat(subSecond.exit()).isEqualTo(Exit.USAGE);
        assertThat(subSecond.err()).contains("whole seconds");
        assertThat(api.requests).isEmpty();
    }

    @Test
    void gateAloneTurnsTheGateOnWithTheServersDefaults() throws Exception {
        api.answer("POST /v2/rollouts", 201, GATED);
        Result r = run("rollout", "create", "dep_2", "--stage", "2", "--stage", "100%", "--gate");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(api.only().json()).isEqualTo(Json.MAPPER.readTree("""
                {"deployment_id":"dep_2","stages":[{"stations":2},{"percent":100}],"gate":{}}"""));
        assertThat(r.out()).isEqualTo(nl("created rollout rol_1") + block(GATED));
    }

    @Test
    void gateOptionsAreSentAndEachImpliesTheGate() throws Exception {
        api.answer("POST /v2/rollouts", 201, GATED);
        Result all = run("rollout", "create", "dep_2", "--stage", "100%", "--gate", "--gate-min-runs", "30",
                "--gate-min-wait", "600s", "--gate-timeout", "PT2H", "--gate-confidence", "0.99");
        assertThat(all.exit()).as(all.err()).isZero();
        assertThat(api.requests.get(0).json().path("gate")).isEqualTo(Json.MAPPER.readTree("""
                {"min_runs":30,"min_wait":"10m","timeout":"2h","confidence":0.99}"""));

        assertThat(run("rollout", "create", "dep_2", "--stage", "100%", "--gate-min-runs", "5").exit()).isZero();
        assertThat(api.requests.get(1).json().path("gate")).isEqualTo(Json.MAPPER.readTree("{\"min_runs\":5}"));
        assertThat(run("rollout", "create", "dep_2", "--stage", "100%", "--gate-timeout", "90m").exit()).isZero();
        assertThat(api.requests.get(2).json().path("gate")).isEqualTo(Json.MAPPER.readTree("{\"timeout\":\"90m\"}"));
        assertThat(run("rollout", "create", "dep_2", "--stage", "100%", "--gate-confidence", "0.5").exit()).isZero();
        assertThat(api.requests.get(3).body()).contains("\"gate\":{\"confidence\":0.5}");
        assertThat(run("rollout", "create", "dep_2", "--stage", "100%", "--gate-min-wait", "1m").exit()).isZero();
        assertThat(api.requests.get(4).json().path("gate")).isEqualTo(Json.MAPPER.readTree("{\"min_wait\":\"1m\"}"));
        assertThat(run("rollout", "create", "dep_2", "--stage", "100%").exit()).isZero();
        assertThat(api.requests.get(5).json().has("gate")).as("no gate option: no gate").isFalse();
        assertThat(run("rollout", "create", "dep_2", "--stage", "100%", "--gate-duration-tolerance", "0.25").exit())
                .isZero();
        assertThat(api.requests.get(6).body()).contains("\"gate\":{\"duration_tolerance\":0.25}");
        assertThat(run("rollout", "create", "dep_2", "--stage", "100%", "--gate-duration-tolerance", "10").exit())
                .isZero();
        assertThat(api.requests.get(7).body()).contains("\"gate\":{\"duration_tolerance\":10}");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--gate-min-runs|0|minimum runs is a whole number from 1 on",
            "--gate-min-runs|-3|minimum runs is a whole number from 1 on",
            "--gate-min-runs|many|minimum runs is a whole number from 1 on",
            "--gate-min-runs|99999999999|minimum runs is a whole number from 1 on",
            "--gate-confidence|0.49|confidence is a number from 0.5 to 0.9999",
            "--gate-confidence|1|confidence is a number from 0.5 to 0.9999",
            "--gate-confidence|0.99995|confidence is a number from 0.5 to 0.9999",
            "--gate-confidence|NaN|confidence is a number from 0.5 to 0.9999",
            "--gate-confidence|95%|confidence is a number from 0.5 to 0.9999",
            "--gate-min-wait|soon|is not a duration",
            "--gate-min-wait|0|must be a positive duration",
            "--gate-min-wait|1500ms|whole seconds",
            "--gate-timeout|-1h|is not a duration",
            "--gate-timeout|2.5s|is not a duration",
            "--gate-duration-tolerance|0|duration tolerance is a fraction above 0 and at most 10",
            "--gate-duration-tolerance|-0.5|duration tolerance is a fraction above 0 and at most 10",
            "--gate-duration-tolerance|10.5|duration tolerance is a fraction above 0 and at most 10",
            "--gate-duration-tolerance|50%|duration tolerance is a fraction above 0 and at most 10"})
    void aBadGateOptionIsAUsageErrorBeforeAnyRequest(String option, String value, String message) {
        Result r = run("rollout", "create", "dep_2", "--stage", "100%", option, value);

        assertThat(r.exit()).isEqualTo(Exit.USAGE);
        assertThat(r.err()).contains(option, message);
        assertThat(api.requests).isEmpty();
    }

    @Test
    void aGateTimeoutShorterThanItsMinimumWaitIsAUsageError() {
        Result r = run("rollout", "create", "dep_2", "--stage", "100%", "--gate-min-wait", "10m", "--gate-timeout",
                "5m");

        assertThat(r.exit()).isEqualTo(Exit.USAGE);
        assertThat(r.err()).contains("--gate-timeout (5m) must not be shorter than --gate-min-wait (10m)");
        assertThat(api.requests).isEmpty();
    }

    @Test
    void aGateTheServerRefusesIsExit2WithTheFieldErrors() {
        api.problem("POST /v2/rollouts", 400, """
                {"title":"Invalid request","status":400,"detail":"the request has invalid fields",\
                "errors":[{"field":"gate.timeout","message":"must not be shorter than gate.min_wait"}]}""");
        Result r = run("rollout", "create", "dep_2", "--stage", "100%", "--gate-timeout", "1m");

        assertThat(r.exit()).isEqualTo(Exit.USAGE);
        assertThat(r.err()).isEqualTo(nl("error: the request has invalid fields",
                "  gate.timeout: must not be shorter than gate.min_wait"));
    }

    @Test
    void createWhileAnotherRolloutIsActiveIsExit4WithTheDetail() {
        String problem = """
                {"type":"https://benchline.io/problems/rollout-active","title":"Rollout active","status":409,\
                "detail":"procedure prc_1 has an active rollout rol_0; complete or abort it first",\
                "rollout_id":"rol_0"}""";
        api.problem("POST /v2/rollouts", 409, problem);
        Result r = run("rollout", "create", "dep_2", "--stage", "100%");

        assertThat(r.exit()).isEqualTo(Exit.CONFLICT);
        assertThat(r.err()).isEqualTo(nl("error: procedure prc_1 has an active rollout rol_0; complete or abort it"
                + " first", "  rollout_id: rol_0"));
        assertThat(r.out()).isEmpty();

        Result json = run("rollout", "create", "dep_2", "--stage", "100%", "--json");
        assertThat(json.exit()).isEqualTo(Exit.CONFLICT);
        assertThat(json.out()).as("the problem as is").isEqualTo(problem + System.lineSeparator());
    }

    @Test
    void stagesTheServerRefusesAreExit2WithTheFieldErrors() {
        api.problem("POST /v2/rollouts", 400, """
                {"title":"Invalid request","status":400,"detail":"the request has invalid fields",\
                "errors":[{"field":"stages[1]","message":"must not be smaller than the stage before"}]}""");
        Result r = run("rollout", "create", "dep_2", "--stage", "50%", "--stage", "2");

        assertThat(r.exit()).isEqualTo(Exit.USAGE);
        assertThat(r.err()).isEqualTo(nl("error: the request has invalid fields",
                "  stages[1]: must not be smaller than the stage before"));
    }

    // ---- status

    @Test
    void statusShowsTheRolloutItsStagesAndHistory() {
        api.answer("GET /v2/rollouts/rol_1", 200, RUNNING);
        Result r = run("rollout", "status", "rol_1");

        assertThat(r.exit()).isZero();
        assertThat(api.only().method()).isEqualTo("GET");
        assertThat(r.out()).isEqualTo(nl(
                "rollout:             rol_1",
                "procedure:           prc_1",
                "deployment:          dep_2",
                "previous deployment: dep_1",
                "state:               running",
                "stage:               2 of 3 (20 stations)",
                "next advance:        2026-12-01T10:20:00Z (automatic, wait 10m)",
                "created:             2026-12-01T10:00:00Z by ci (key_1)",
                "STAGE  TARGET  MOVED  ACTIVE  STATE",
                "1      2       2      2       done",
                "2      5       5      3       current",
                "3      20      5      3       pending",
                "history:",
                "AT                    ACTION   STAGE  BY          NOTE",
                "2026-12-01T10:10:00Z  advance  2      -           -",
                "2026-12-01T10:00:00Z  create   1      ci (key_1)  fix for line 3"));
        assertThat(r.err()).isEmpty();
    }

    @Test
    void statusOfARolloutAdvancedByHandSaysHowAndShowsTheLastHistoryEntries() throws Exception {
        ObjectNode r = (ObjectNode) Json.MAPPER.readTree(RUNNING);
        r.putNull("wait").putNull("advance_at").putNull("previous_deployment_id");
        var history = r.putArray("history");
        for (int i = 7; i >= 1; i--) { // newest first, as the server answers
            history.addObject().put("at", "2026-12-01T10:0" + i + ":00Z").put("action", i % 2 == 0 ? "pause" : "resume")
                    .put("stage", 1).putNull("by").put("note", "n" + i);
        }
        api.answer("GET /v2/rollouts/rol_1", 200, r.toString());
        Result result = run("rollout", "status", "rol_1");

        assertThat(result.out()).contains(
                "previous deployment: -",
                "next advance:        by hand (benchline rollout advance rol_1)",
                "history (last 5 of 7):");
        assertThat(result.out()).doesNotContain("n1", "n2", "2026-12-01T10:02:00Z").contains("n3", "n7");
        assertThat(result.out().indexOf("n7")).as("newest first").isLessThan(result.out().indexOf("n3"));
    }

    @Test
    void statusShowsTheGateTheVerdictAndCanaryAgainstBase() {
        api.answer("GET /v2/rollouts/rol_1", 200, GATED);
        Result r = run("rollout", "status", "rol_1");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo(nl(
                "rollout:             rol_1",
                "procedure:           prc_1",
                "deployment:          dep_2",
                "previous deployment: dep_1",
                "state:               running",
                "stage:               2 of 3 (20 stations)",
                "next advance:        2026-12-01T10:15:00Z at the earliest (the gate decides: advance, abort or wait)",
                "created:             2026-12-01T10:00:00Z by ci (key_1)",
                "STAGE  TARGET  MOVED  ACTIVE  STATE",
                "1      2       2      2       done",
                "2      5       5      3       current",
                "3      20      5      3       pending",
                "gate:                min runs 20, min wait 5m, timeout 1h, confidence 0.95",
                "verdict:             wait: waiting for runs: canary 12 of 20 runs, base 31 of 20",
                "        RUNS  FIRST-PASS YIELD  FAILURE RATE  ERROR RATE  MEAN DURATION",
                "canary  12    91.7%             8.3%          0.0%        812 ms",
                "base    31    100.0%            0.0%          0.0%        1m 04s",
                "history:",
                "AT                    ACTION   STAGE  BY          NOTE",
                "2026-12-01T10:10:00Z  advance  2      -           -",
                "2026-12-01T10:00:00Z  create   1      ci (key_1)  fix for line 3"));
    }

    @Test
    void statusShowsEachStagesOwnStationsDesiredStagedAndActual() throws Exception {
        ObjectNode r = (ObjectNode) Json.MAPPER.readTree(GATED);
        long[][] own = {{2, 2, 0, 2}, {3, 3, 2, 1}, {15, 0, 0, 0}};
        int i = 0;
        for (JsonNode stage : r.path("stages")) {
            long[] o = own[i++];
            ((ObjectNode) stage).putObject("in_stage").put("stations", o[0]).put("desired", o[1]).put("staged", o[2])
                    .put("actual", o[3]);
        }
        ((ObjectNode) r.path("gate")).put("duration_tolerance", 0.5);
        api.answer("GET /v2/rollouts/rol_1", 200, r.toString());
        Result result = run("rollout", "status", "rol_1");

        assertThat(result.exit()).isZero();
        assertThat(result.out()).contains(nl(
                "STAGE  TARGET  MOVED  ACTIVE  STATIONS  DESIRED  STAGED  ACTUAL  STATE",
                "1      2       2      2       2         2        0       2       done",
                "2      5       5      3       3         3        2       1       current",
                "3      20      5      3       15        0        0       0       pending",
                "gate:                min runs 20, min wait 5m, timeout 1h, confidence 0.95, duration tolerance 0.5"));
    }

    @Test
    void aVerdictWithoutRunsShowsDashes() throws Exception {
        ObjectNode r = (ObjectNode) Json.MAPPER.readTree(GATED);
        ObjectNode verdict = (ObjectNode) r.path("verdict");
        verdict.put("reason", "the stage's minimum wait: 120 s left");
        verdict.putObject("canary").put("runs", 0).putNull("first_pass_yield").putNull("mean_duration_ms");
        verdict.putObject("base").put("runs", 0);
        api.answer("GET /v2/rollouts/rol_1", 200, r.toString());

        assertThat(run("rollout", "status", "rol_1").out()).contains(nl(
                "verdict:             wait: the stage's minimum wait: 120 s left",
                "        RUNS  FIRST-PASS YIELD  FAILURE RATE  ERROR RATE  MEAN DURATION",
                "canary  0     -                 -             -           -",
                "base    0     -                 -             -           -"));
    }

    @Test
    void statusOfARolloutThatNeedsAttentionSaysWhyAndWhatToDo() {
        api.answer("GET /v2/rollouts/rol_1", 200, NEEDS_ATTENTION);
        Result r = run("rollout", "status", "rol_1");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains(nl(
                "state:               needs_attention",
                "needs attention:     " + ATTENTION_REASON,
                "stage:               2 of 3 (20 stations)",
                "next advance:        none until someone decides (benchline rollout advance|complete|abort rol_1)"));
        assertThat(r.out()).contains("verdict:             needs_attention: " + ATTENTION_REASON);
    }

    @Test
    void statusOfAFinishedRolloutShowsTheGatesLastRecordedVerdict() throws Exception {
        ObjectNode r = (ObjectNode) Json.MAPPER.readTree(rollout("aborted", 1));
        r.setAll((ObjectNode) Json.MAPPER.readTree("{\"gate\":" + GATE + "}"));
        JsonNode figures = Json.MAPPER.readTree(ABORT_VERDICT);
        ObjectNode aborted = Json.MAPPER.createObjectNode().put("at", "2026-12-01T10:40:00Z").put("action", "aborted")
                .put("stage", 1).put("note", figures.path("reason").asText());
        aborted.putObject("by").put("name", "system");
        aborted.set("figures", figures);
        ObjectNode older = aborted.deepCopy().put("at", "2026-12-01T10:30:00Z").put("action", "advanced");
        ((ObjectNode) older.path("figures")).put("decision", "advance");
        var history = Json.MAPPER.createArrayNode().add(aborted).add(older);
        r.path("history").forEach(history::add);
        r.set("history", history);
        api.answer("GET /v2/rollouts/rol_1", 200, r.toString());
        Result result = run("rollout", "status", "rol_1");

        assertThat(result.out()).contains(nl(
                "last verdict:        abort (at 2026-12-01T10:40:00Z): " + figures.path("reason").asText(),
                "        RUNS  FIRST-PASS YIELD  FAILURE RATE  ERROR RATE  MEAN DURATION",
                "canary  24    50.0%             50.0%         12.5%       4.2 s",
                "base    40    100.0%            0.0%          0.0%        3.9 s"));
        assertThat(result.out()).doesNotContain("last verdict:        advance");
    }

    @Test
    void statusWithoutAGateShowsNoGate() {
        api.answer("GET /v2/rollouts/rol_1", 200, RUNNING);
        assertThat(run("rollout", "status", "rol_1").out()).doesNotContain("gate:", "verdict:", "RUNS");
    }

    @Test
    void statusOfAPausedRolloutSaysHowToResume() throws Exception {
        api.answer("GET /v2/rollouts/rol_1", 200, ((ObjectNode) Json.MAPPER.readTree(rollout("paused", 1)))
                .putNull("advance_at").toString());
        assertThat(run("rollout", "status", "rol_1").out())
                .contains("next advance:        none while paused (benchline rollout resume rol_1)");
    }

    @Test
    void statusJsonIsTheAnswerAsIs() {
        api.answer("GET /v2/rollouts/rol_1", 200, RUNNING);
        Result r = run("rollout", "status", "rol_1", "--json");
        assertThat(r.out()).isEqualTo(RUNNING + System.lineSeparator());
    }

    @Test
    void statusOfAnUnknownRolloutIsExit3() {
        api.problem("GET /v2/rollouts/rol_x", 404,
                "{\"title\":\"Not found\",\"status\":404,\"detail\":\"rollout rol_x not found\"}");
        Result r = run("rollout", "status", "rol_x", "--follow");
        assertThat(r.exit()).isEqualTo(Exit.NOT_FOUND);
        assertThat(r.err()).isEqualTo(nl("error: rollout rol_x not found"));
        assertThat(pause.sleeps).as("no waiting for a rollout that does not exist").isEmpty();
    }

    // ---- status --follow

    @Test
    void followShowsEachChangeUntilCompletedAndExits0() throws Exception {
        String first = rollout("running", 0);
        String second = rollout("running", 1);
        String done = rollout("completed", 2);
        api.answers("GET /v2/rollouts/rol_1", 200, first, first, second, second, done);
        Result r = run("rollout", "status", "rol_1", "--follow");

        assertThat(r.exit()).as(r.err()).isEqualTo(Exit.OK);
        assertThat(api.requests).hasSize(5);
        assertThat(r.out()).as("a new block per change, none for a read that changed nothing")
                .isEqualTo(block(first) + System.lineSeparator() + block(second) + System.lineSeparator()
                        + block(done));
        assertThat(r.out()).contains("state:               completed", "finished:            2026-12-01T11:00:00Z");
        assertThat(pause.sleeps).hasSize(4).containsOnly(Duration.ofSeconds(2));
    }

    @Test
    void followUntilAbortedExits1() throws Exception {
        api.answers("GET /v2/rollouts/rol_1", 200, rollout("running", 1), rollout("aborted", 1));
        Result r = run("rollout", "status", "rol_1", "--follow", "--interval", "5s");

        assertThat(r.exit()).isEqualTo(Exit.FAILED);
        assertThat(r.out()).endsWith(block(rollout("aborted", 1)));
        assertThat(pause.sleeps).containsExactly(Duration.ofSeconds(5));
    }

    @Test
    void followOfASupersededRolloutExits1AtOnce() throws Exception {
        api.answer("GET /v2/rollouts/rol_1", 200, rollout("superseded", 1));
        Result r = run("rollout", "status", "rol_1", "--follow");

        assertThat(r.exit()).isEqualTo(Exit.FAILED);
        assertThat(api.requests).hasSize(1);
        assertThat(pause.sleeps).isEmpty();
    }

    @Test
    void followStopsWithExit1WhenTheRolloutNeedsAttention() throws Exception {
        api.answers("GET /v2/rollouts/rol_1", 200, GATED, NEEDS_ATTENTION);
        Result r = run("rollout", "status", "rol_1", "--follow");

        assertThat(r.exit()).isEqualTo(Exit.FAILED);
        assertThat(api.requests).as("no read after it needs attention").hasSize(2);
        assertThat(pause.sleeps).hasSize(1);
        assertThat(r.out()).isEqualTo(block(GATED) + System.lineSeparator() + block(NEEDS_ATTENTION));
        assertThat(r.err()).isEqualTo(nl("rollout rol_1 needs attention: " + ATTENTION_REASON,
                "advance, complete or abort it: benchline rollout advance|complete|abort rol_1"));

        Result json = run("rollout", "status", "rol_1", "--follow", "--json");
        assertThat(json.exit()).isEqualTo(Exit.FAILED);
        assertThat(json.out()).isEqualTo(nl(NEEDS_ATTENTION));
        assertThat(json.err()).startsWith("rollout rol_1 needs attention: " + ATTENTION_REASON);
    }

    @Test
    void followOnATerminalRedrawsTheBlockInPlace() throws Exception {
        terminal = new FakeTerminal(true, null);
        String first = rollout("running", 0);
        String second = rollout("paused", 1);
        String done = rollout("completed", 2);
        api.answers("GET /v2/rollouts/rol_1", 200, first, second, second, done);
        Result r = run("rollout", "status", "rol_1", "--follow");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo(block(first)
                + "\033[" + block(first).lines().count() + "A\r\033[J" + block(second)
                + "\033[" + block(second).lines().count() + "A\r\033[J" + block(done));
    }

    @Test
    void followJsonPrintsOneObjectPerChangeOnePerLine() throws Exception {
        String first = rollout("running", 0);
        String done = rollout("completed", 2);
        String pretty = Json.MAPPER.readTree(done).toPrettyString();
        api.answers("GET /v2/rollouts/rol_1", 200, first, first, pretty);
        Result r = run("rollout", "status", "rol_1", "--follow", "--json");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo(nl(first, Json.MAPPER.readTree(pretty).toString()));
    }

    @Test
    void followRidesOutAServerErrorAfterTheFirstRead() throws Exception {
        api.then("GET /v2/rollouts/rol_1", 200, rollout("running", 1))
                .then("GET /v2/rollouts/rol_1", 503, "{\"title\":\"Unavailable\",\"status\":503}")
                .then("GET /v2/rollouts/rol_1", 200, rollout("completed", 2));
        Result r = run("rollout", "status", "rol_1", "--follow");

        assertThat(r.exit()).isZero();
        assertThat(r.err()).isEqualTo(nl("error: GET /v2/rollouts/rol_1 answered HTTP 503; reading the rollout"
                + " again"));
        assertThat(api.requests).hasSize(3);
    }

    @Test
    void followGivesUpAfterTenFailedReadsInARow() throws Exception {
        api.then("GET /v2/rollouts/rol_1", 200, rollout("running", 1))
                .then("GET /v2/rollouts/rol_1", 503, "{\"title\":\"Unavailable\",\"status\":503}");
        Result r = run("rollout", "status", "rol_1", "--follow");

        assertThat(r.exit()).isEqualTo(Exit.FAILED);
        assertThat(api.requests).hasSize(2 + RolloutCommands.Status.RETRIES);
        assertThat(r.err().lines().filter(l -> l.endsWith("reading the rollout again")))
                .hasSize(RolloutCommands.Status.RETRIES);
        assertThat(r.err()).endsWith(nl("error: Unavailable"));
    }

    @Test
    void followGivesUpOnARefusalAfterTheFirstRead() throws Exception {
        api.then("GET /v2/rollouts/rol_1", 200, rollout("running", 1))
                .then("GET /v2/rollouts/rol_1", 403, "{\"title\":\"Forbidden\",\"status\":403,\"detail\":\"key"
                        + " key_1 is revoked\"}");
        Result r = run("rollout", "status", "rol_1", "--follow");

        assertThat(r.exit()).isEqualTo(Exit.DENIED);
        assertThat(r.err()).isEqualTo(nl("error: key key_1 is revoked"));
    }

    // ---- stations

    private static final String STATIONS_PAGE_1 = """
            {"data":[{"station_id":"stn_a","name":"line-3-a","rank":0,"stage":0,"canary":true,\
            "from_deployment_id":"dep_1","desired_deployment_id":"dep_2","staged_deployment_id":null,\
            "actual_deployment_id":"dep_2","agent_state":"active","staged_since":null},\
            {"station_id":"stn_b","name":"line-3-b","rank":1,"stage":1,"canary":false,\
            "from_deployment_id":"dep_1","desired_deployment_id":"dep_2","staged_deployment_id":"dep_2",\
            "actual_deployment_id":"dep_1","agent_state":"staged","staged_since":"2026-12-01T10:05:00Z"}],\
            "next_cursor":"rnk_1"}""";
    private static final String STATIONS_PAGE_2 = """
            {"data":[{"station_id":"stn_c","name":null,"rank":2,"stage":1,"canary":false,\
            "from_deployment_id":null,"desired_deployment_id":null,"staged_deployment_id":null,\
            "actual_deployment_id":null,"agent_state":null,"staged_since":null}],"next_cursor":null}""";

    @Test
    void stationsListsTheRolloutsStationsInRankOrderWithTheirDeployments() {
        api.answer("GET /v2/rollouts/rol_1/stations?limit=50", 200, STATIONS_PAGE_1);
        Result r = run("rollout", "stations", "rol_1");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(nl(
                "RANK  STAGE  STATION  NAME      CANARY  FROM   DESIRED  STAGED  ACTUAL  AGENT   STAGED SINCE",
                "0     1      stn_a    line-3-a  yes     dep_1  dep_2    -       dep_2   active  -",
                "1     2      stn_b    line-3-b  no      dep_1  dep_2    dep_2   dep_1   staged  2026-12-01T10:05:00Z"));
        assertThat(r.err()).isEqualTo(nl("(more stations: --all, or a larger --limit)"));
    }

    @Test
    void stationsOfOneStageAskForItCountedFromZeroAndAllFollowsTheCursor() {
        api.answer("GET /v2/rollouts/rol_1/stations?stage=1&limit=2", 200, STATIONS_PAGE_1);
        api.answer("GET /v2/rollouts/rol_1/stations?stage=1&limit=2&cursor=rnk_1", 200, STATIONS_PAGE_2);
        Result r = run("rollout", "stations", "rol_1", "--stage", "2", "--limit", "2", "--all");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(api.requests).extracting(FakeApi.Request::query)
                .containsExactly("stage=1&limit=2", "stage=1&limit=2&cursor=rnk_1");
        assertThat(r.out()).contains("stn_a", "stn_b").contains(
                "2     2      stn_c    -         no      -      -        -       -       -       -");
        assertThat(r.err()).isEmpty();

        Result json = run("rollout", "stations", "rol_1", "--stage", "2", "--limit", "2", "--all", "--json");
        assertThat(json.exit()).isZero();
        assertThat(json.out()).contains("\"stn_c\"").contains("\"next_cursor\":null");
    }

    @Test
    void stationsJsonIsTheFirstPageAsIs() {
        api.answer("GET /v2/rollouts/rol_1/stations?limit=50", 200, STATIONS_PAGE_1);
        Result r = run("rollout", "stations", "rol_1", "--json");
        assertThat(r.out()).isEqualTo(STATIONS_PAGE_1 + System.lineSeparator());
    }

    @Test
    void stationsOfAStageTheRolloutDoesNotHaveIsExit2AndABadStageNeedsNoRequest() {
        api.problem("GET /v2/rollouts/rol_1/stations", 400, """
                {"title":"Invalid request","status":400,"detail":"the request has invalid fields",\
                "errors":[{"field":"stage","message":"rollout rol_1 has stages 0 to 2"}]}""");
        Result r = run("rollout", "stations", "rol_1", "--stage", "9");
        assertThat(r.exit()).isEqualTo(Exit.USAGE);
        assertThat(r.err()).contains("stage: rollout rol_1 has stages 0 to 2");

        Result zero = run("rollout", "stations", "rol_1", "--stage", "0");
        assertThat(zero.exit()).isEqualTo(Exit.USAGE);
        assertThat(zero.err()).contains("a stage is a whole number from 1 on");
        assertThat(api.requests).hasSize(1);
    }

    @Test
    void noStationsSaysSo() {
        api.answer("GET /v2/rollouts/rol_1/stations?stage=0&limit=50", 200, "{\"data\":[],\"next_cursor\":null}");
        assertThat(run("rollout", "stations", "rol_1", "--stage", "1").out())
                .isEqualTo(nl("no stations in stage 1 of rollout rol_1"));
    }

    // ---- list

    @Test
    void listIsATableNewestFirst() throws Exception {
        String page = "{\"data\":[" + RUNNING + "," + ((ObjectNode) Json.MAPPER.readTree(rollout("completed", 2)))
                .put("id", "rol_0").put("deployment_id", "dep_1").put("created_at", "2026-11-30T09:00:00Z") + "]}";
        api.answer("GET /v2/rollouts", 200, page);
        Result r = run("rollout", "list", "--procedure-id", "prc 1", "--limit", "5");

        assertThat(r.exit()).isZero();
        assertThat(api.only().query()).isEqualTo("procedure_id=prc+1&limit=5");
        assertThat(r.out()).isEqualTo(nl(
                "ID     DEPLOYMENT  STATE      STAGE  STATIONS  CREATED",
                "rol_1  dep_2       running    2/3    20        2026-12-01T10:00:00Z",
                "rol_0  dep_1       completed  3/3    20        2026-11-30T09:00:00Z"));

        assertThat(run("rollout", "list", "--procedure-id", "prc_1", "--json").out())
                .isEqualTo(page + System.lineSeparator());
        assertThat(api.requests.get(1).query()).isEqualTo("procedure_id=prc_1&limit=20");
    }

    @Test
    void listShowsARolloutThatNeedsAttention() {
        api.answer("GET /v2/rollouts", 200, "{\"data\":[" + NEEDS_ATTENTION + "]}");
        assertThat(run("rollout", "list", "--procedure-id", "prc_1").out()).isEqualTo(nl(
                "ID     DEPLOYMENT  STATE            STAGE  STATIONS  CREATED",
                "rol_1  dep_2       needs_attention  2/3    20        2026-12-01T10:00:00Z"));
    }

    @Test
    void listOfAProcedureWithoutRollouts() {
        api.answer("GET /v2/rollouts", 200, "{\"data\":[]}");
        assertThat(run("rollout", "list", "--procedure-id", "prc_1").out())
                .isEqualTo(nl("no rollouts of procedure prc_1"));
    }

    @Test
    void listNeedsAProcedureAndAPositiveLimit() {
        assertThat(run("rollout", "list").exit()).isEqualTo(Exit.USAGE);
        assertThat(run("rollout", "list", "--procedure-id", "prc_1", "--limit", "0").exit()).isEqualTo(Exit.USAGE);
        assertThat(api.requests).isEmpty();
    }

    // ---- advance, pause, resume, abort, complete

    @ParameterizedTest
    @CsvSource({"advance, advanced", "pause, paused", "resume, resumed", "complete, completed", "abort, aborted"})
    void actionsPostTheNoteAndShowTheRollout(String action, String done) throws Exception {
        api.answer("POST /v2/rollouts/rol_1/" + action, 200, RUNNING);
        List<String> yes = action.equals("abort") ? List.of("--yes") : List.of();
        Result r = run(with(yes, "rollout", action, "rol_1", "--note", "line 3 is fine"));

        assertThat(r.exit()).as(r.err()).isZero();
        FakeApi.Request request = api.only();
        assertThat(request.method() + " " + request.path()).isEqualTo("POST /v2/rollouts/rol_1/" + action);
        assertThat(request.json()).isEqualTo(Json.MAPPER.readTree("{\"note\":\"line 3 is fine\"}"));
        assertThat(r.out()).isEqualTo(nl(done + " rollout rol_1") + block(RUNNING));

        Result json = run(with(yes, "rollout", action, "rol_1", "--json"));
        assertThat(json.out()).isEqualTo(RUNNING + System.lineSeparator());
        assertThat(api.requests.get(1).body()).as("no note: an empty object").isEqualTo("{}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"advance", "pause", "resume", "complete"})
    void anActionTheStateDoesNotAllowIsExit4WithTheDetail(String action) {
        api.problem("POST /v2/rollouts/rol_1/" + action, 409, NOT_RUNNING);
        Result r = run("rollout", action, "rol_1");

        assertThat(r.exit()).isEqualTo(Exit.CONFLICT);
        assertThat(r.err()).isEqualTo(nl("error: rollout rol_1 is paused; resume it first"));
        assertThat(r.out()).isEmpty();

        Result json = run("rollout", action, "rol_1", "--json");
        assertThat(json.exit()).isEqualTo(Exit.CONFLICT);
        assertThat(json.out()).isEqualTo(NOT_RUNNING + System.lineSeparator());
    }

    @Test
    void anActionOnAnUnknownRolloutIsExit3() {
        api.problem("POST /v2/rollouts/rol_x/advance", 404,
                "{\"title\":\"Not found\",\"status\":404,\"detail\":\"rollout rol_x not found\"}");
        Result r = run("rollout", "advance", "rol_x");
        assertThat(r.exit()).isEqualTo(Exit.NOT_FOUND);
        assertThat(r.err()).isEqualTo(nl("error: rollout rol_x not found"));
    }

    @Test
    void abortOfAFinishedRolloutIsExit4() {
        api.problem("POST /v2/rollouts/rol_1/abort", 409, """
                {"type":"https://benchline.io/problems/rollout-finished","title":"Rollout finished","status":409,\
                "detail":"rollout rol_1 is completed"}""");
        Result r = run("rollout", "abort", "rol_1", "--yes");
        assertThat(r.exit()).isEqualTo(Exit.CONFLICT);
        assertThat(r.err()).isEqualTo(nl("error: rollout rol_1 is completed"));
    }

    @Test
    void abortWithoutYesIsRefusedWhenNoOneCanBeAsked() {
        Result r = run("rollout", "abort", "rol_1");

        assertThat(r.exit()).isEqualTo(Exit.USAGE);
        assertThat(r.err()).isEqualTo(nl("error: not aborting rollout rol_1 without confirmation: no interactive"
                + " terminal; pass --yes to abort it"));
        assertThat(api.requests).isEmpty();
    }

    @Test
    void abortAsksOnATerminalAndKeepsTheRolloutOnNo() {
        terminal = new FakeTerminal(true, "n");
        Result r = run("rollout", "abort", "rol_1");

        assertThat(r.exit()).isEqualTo(Exit.USAGE);
        assertThat(terminal.questions).containsExactly(
                "Abort rollout rol_1? Every station of it goes back to the deployment it had.");
        assertThat(r.err()).isEqualTo(nl("not aborted"));
        assertThat(api.requests).isEmpty();
    }

    @Test
    void abortAsksOnATerminalAndAbortsOnYes() {
        terminal = new FakeTerminal(true, "y");
        api.answer("POST /v2/rollouts/rol_1/abort", 200, RUNNING.replace("\"running\"", "\"aborted\""));
        Result r = run("rollout", "abort", "rol_1");

        assertThat(r.exit()).isZero();
        assertThat(terminal.questions).hasSize(1);
        assertThat(api.only().path()).isEqualTo("/v2/rollouts/rol_1/abort");
        assertThat(r.out()).startsWith(nl("aborted rollout rol_1")).contains("state:               aborted");
    }

    @Test
    void rolloutIdsAreOnePathSegment() {
        api.answer("GET /v2/rollouts/rol%2F..%2Fx", 200, RUNNING);
        assertThat(run("rollout", "status", "rol/../x").exit()).isZero();
        assertThat(api.only().path()).isEqualTo("/v2/rollouts/rol%2F..%2Fx");
    }

    @Test
    void helpListsTheSubcommandsAndTheExitCodes() {
        StringWriter out = new StringWriter();
        var cli = Main.commandLine(terminal, () -> pause);
        cli.setOut(new PrintWriter(out, true));
        assertThat(cli.execute("rollout", "--help")).isZero();
        assertThat(out.toString()).contains("create", "status", "list", "advance", "pause", "resume", "abort",
                "complete");

        StringWriter status = new StringWriter();
        cli.setOut(new PrintWriter(status, true));
        cli.execute("rollout", "status", "--help");
        assertThat(status.toString()).contains("--follow", "Exit codes:").doesNotContain("--interval");

        StringWriter create = new StringWriter();
        cli.setOut(new PrintWriter(create, true));
        cli.execute("rollout", "create", "--help");
        assertThat(create.toString().replaceAll("\\s+", " "))
                .contains("--stage N% that percent of them (12.5% too); the last stage usually is 100%.");
    }
}
