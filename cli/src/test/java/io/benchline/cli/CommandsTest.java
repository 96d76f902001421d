package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every API command against {@link FakeApi}: the request it sends, its human and --json output, its exit code. */
class CommandsTest {
    private static final String POINTER = """
            {"station_id":"stn_1","procedure_id":"prc_1","deployment_id":"dep_1","pointer_version":4,"pinned":true,\
            "pin":{"since":"2026-12-01T10:00:00Z","by":{"key_id":"key_1","name":"ci"}}}""";
    private static final String DEPLOYMENT = """
            {"id":"dep_2","procedure":{"id":"prc_1","name":"flash-test"},"commit":{"sha":"0123456789abcdef","branch":\
            "main"},"environment":"production","status":"ready","promoted_from":"dep_1","retry_of":null}""";
    private static final String PAUSED_PROCEDURE = """
            {"id":"prc_1","name":"flash-test","paused":{"since":"2026-12-01T10:00:00Z","by":{"key_id":"key_1",\
            "name":"ops"},"reason":"rollback","note":"bad build","rollback_deployment_id":"dep_0"}}""";
    private static final String IN_USE = """
            {"type":"https://benchline.io/problems/deployment-in-use","title":"Deployment in use","status":409,\
            "detail":"deployment dep_1 is in use by 2 stations; move them to another deployment first",\
            "stations":["stn_1","stn_2"],"station_count":2}""";

    private FakeApi api;
    private FakeTerminal terminal;

    @BeforeEach
    void start() throws Exception {
        api = new FakeApi();
        terminal = new FakeTerminal(false, null);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    record Result(int exit, String out, String err) {
    }

    /** Runs {@code benchline <args> --url <fake> --api-key <key>}. */
    private Result run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", api.url(), "--api-key", FakeApi.KEY));
        return runRaw(all.toArray(String[]::new));
    }

    private Result runRaw(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = Main.commandLine(terminal);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Result(exit, out.toString(), err.toString());
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

    private static String nl(String... lines) {
        return String.join(System.lineSeparator(), lines) + System.lineSeparator();
    }

    // ---- logs

    @Test
    void logsPagesThroughTheWholeLog() {
        api.answer("GET /v2/deployments/dep_1/logs?after=0", 200, "{\"data\":[{\"number\":1,\"timestamp\":"
                + "\"2026-12-01T10:00:00Z\",\"level\":\"info\",\"text\":\"cloning\"},{\"number\":2,\"timestamp\":"
                + "\"2026-12-01T10:00:01Z\",\"level\":\"error\",\"text\":\"no procedure.yaml\"}]}");
        api.answer("GET /v2/deployments/dep_1/logs?after=2", 200, "{\"data\":[]}");
        Result r = run("logs", "dep_1");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo(nl("2026-12-01T10:00:00Z INFO cloning",
                "2026-12-01T10:00:01Z ERROR no procedure.yaml"));
    }

    @Test
    void logsFollowResumesADroppedStreamAndExitsWithTheBuild() {
        api.stream("GET /v2/deployments/dep_1/logs", Map.of(
                "", "id: 1\nevent: line\ndata: {\"number\":1,\"timestamp\":\"t1\",\"level\":\"info\",\"text\":\"a\"}\n\n"
                        + ": waiting for the build\n\n"
                        + "id: 2\nevent: line\ndata: {\"number\":2,\"timestamp\":\"t2\",\"level\":\"info\",\"text\":\"b\"}\n\n",
                "2", "id: 3\nevent: line\ndata: {\"number\":3,\"timestamp\":\"t3\",\"level\":\"error\",\"text\":\"c\"}\n\n"
                        + "event: end\ndata: {\"status\":\"failed\"}\n\n"));
        Result r = run("logs", "dep_1", "--follow");
        assertThat(api.lastEventIds).containsExactly("", "2");
        assertThat(r.out()).isEqualTo(nl("t1 INFO a", "t2 INFO b", "t3 ERROR c", "build failed"));
        assertThat(r.exit()).as("the build failed").isEqualTo(Exit.FAILED);
    }

    // ---- pin, unpin, unlink

    @Test
    void pinToOneStationUsesTheStationRoute() throws Exception {
        api.answer("POST /v2/stations/stn_1/deployments/dep_1", 200, POINTER);
        Result r = run("pin", "dep_1", "--station", "stn_1", "--note", "hotfix for line 3");

        assertThat(r.exit()).isZero();
        FakeApi.Request request = api.only();
        assertThat(request.authorization()).isEqualTo("Bearer " + FakeApi.KEY);
        assertThat(request.contentType()).isEqualTo("application/json");
        assertThat(request.json()).isEqualTo(Json.MAPPER.readTree("{\"note\":\"hotfix for line 3\"}"));
        assertThat(r.out()).isEqualTo(nl("pinned deployment dep_1 to station stn_1 (procedure prc_1, pointer"
                + " version 4, pinned by ci (key_1))"));
        assertThat(r.err()).isEmpty();
    }

    @Test
    void pinWithoutANoteSendsAnEmptyObjectAndJsonPrintsTheAnswerAsIs() throws Exception {
        api.answer("POST /v2/stations/stn_1/deployments/dep_1", 200, POINTER);
        Result r = run("pin", "dep_1", "--station", "stn_1", "--json");

        assertThat(r.exit()).isZero();
        assertThat(api.only().body()).isEqualTo("{}");
        assertThat(r.out()).isEqualTo(POINTER + System.lineSeparator());
    }

    @Test
    void pinToSeveralStationsIsOneBulkCall() throws Exception {
        api.answer("POST /v2/stations/pins", 200, """
                {"deployment_id":"dep_1","procedure_id":"prc_1","pinned":2,"pointers":[\
                {"station_id":"stn_1","from_deployment_id":"dep_0","pointer_version":5,"moved":true},\
                {"station_id":"stn_2","from_deployment_id":null,"pointer_version":1,"moved":true}]}""");
        Result r = run("pin", "dep_1", "--station", "stn_1", "--station", "stn_2", "--station", "stn_1");

        assertThat(r.exit()).isZero();
        FakeApi.Request request = api.only();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.json()).isEqualTo(Json.MAPPER.readTree(
                "{\"deployment_id\":\"dep_1\",\"station_ids\":[\"stn_1\",\"stn_2\"]}"));
        assertThat(r.out()).isEqualTo(nl("pinned deployment dep_1 to 2 station(s)",
                "STATION  FROM   POINTER VERSION",
                "stn_1    dep_0  5",
                "stn_2    -      1"));
    }

    @Test
    void pinNeedsAStation() {
        Result r = run("pin", "dep_1");
        assertThat(r.exit()).isEqualTo(Exit.USAGE);
        assertThat(r.err()).contains("--station");
        assertThat(api.requests).isEmpty();
    }

    @Test
    void unpinDeletesThePin() {
        api.answer("DELETE /v2/stations/stn_1/deployments/dep_1", 200, """
                {"station_id":"stn_1","procedure_id":"prc_1","deployment_id":"dep_1","pointer_version":4,\
                "pinned":false,"pin":null}""");
        Result r = run("unpin", "dep_1", "--station", "stn_1");

        assertThat(r.exit()).isZero();
        assertThat(api.only().method()).isEqualTo("DELETE");
        assertThat(api.only().body()).isEmpty();
        assertThat(r.out()).isEqualTo(nl("unpinned deployment dep_1 from station stn_1 (procedure prc_1, pointer"
                + " version 4); automatic fan-out may move the pointer again"));
    }

    @Test
    void unlinkAnswers204() {
        api.answer("DELETE /v2/stations/stn_1/links/prc_1", 204, null);
        Result r = run("unlink", "prc_1", "--station", "stn_1");

        assertThat(r.exit()).isZero();
        assertThat(api.only().method()).isEqualTo("DELETE");
        assertThat(r.out()).startsWith("unlinked procedure prc_1 from station stn_1: its pointer is cleared");

        Result json = run("unlink", "prc_1", "--station", "stn_1", "--json");
        assertThat(json.exit()).isZero();
        assertThat(json.out()).as("204: no JSON to print").isEmpty();
    }

    @Test
    void idsAreEncodedAsOnePathSegment() {
        api.answer("DELETE /v2/stations/stn%2F..%2Fx/links/prc%201", 204, null);
        Result r = run("unlink", "prc 1", "--station", "stn/../x");
        assertThat(r.exit()).isZero();
        assertThat(api.only().path()).isEqualTo("/v2/stations/stn%2F..%2Fx/links/prc%201");
    }

    // ---- promote, rollback, resume, rerun

    @Test
    void promoteSendsTheNoteAndShowsTheNewDeployment() throws Exception {
        api.answer("POST /v2/deployments/dep_1/promote", 201, DEPLOYMENT);
        Result r = run("promote", "dep_1", "--note", "ship it");

        assertThat(r.exit()).isZero();
        assertThat(api.only().json()).isEqualTo(Json.MAPPER.readTree("{\"note\":\"ship it\"}"));
        assertThat(r.out()).isEqualTo(nl("promoted deployment dep_1 to production: deployment dep_2",
                "  procedure:   flash-test (prc_1)",
                "  environment: production",
                "  status:      ready",
                "  commit:      0123456789abcdef (main)"));

        Result json = run("promote", "dep_1", "--json");
        assertThat(json.out()).isEqualTo(DEPLOYMENT + System.lineSeparator());
        assertThat(api.requests.get(1).body()).isEqualTo("{}");
    }

    @Test
    void stationSettingsShowChangeKeepingWhatIsNotGivenAndReset() throws Exception {
        String path = "/v2/procedures/prc_1/station-settings";
        api.answer("GET " + path, 200, """
                {"procedure_id":"prc_1","idle_window_seconds":0,"max_deferral_seconds":3600,"defaults":true}""");
        api.answer("PUT " + path, 200, "{}");
        api.answer("DELETE " + path, 204, "");
        Result shown = run("station-settings", "prc_1");
        assertThat(shown.exit()).isZero();
        assertThat(shown.out()).isEqualTo(nl("procedure prc_1: idle window 0 s, max deferral 3600 s (the service's"
                + " defaults)"));

        Result changed = run("station-settings", "prc_1", "--idle-window", "2m");
        assertThat(changed.exit()).isZero();
        assertThat(api.requests("PUT", path)).singleElement().satisfies(r -> assertThat(r.json())
                .isEqualTo(Json.MAPPER.readTree("{\"idle_window_seconds\":120,\"max_deferral_seconds\":3600}")));

        assertThat(run("station-settings", "prc_1", "--reset").exit()).isZero();
        assertThat(api.requests("DELETE", path)).hasSize(1);
        Result both = run("station-settings", "prc_1", "--reset", "--max-deferral", "1h");
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err()).contains("--reset takes no");
    }

    @Test
    void rollbackNamesTheTargetAndShowsThePause() throws Exception {
        api.answer("POST /v2/procedures/prc_1/rollback", 202, PAUSED_PROCEDURE);
        Result r = run("rollback", "prc_1", "--to", "dep_0", "--note", "bad build");

        assertThat(r.exit()).isZero();
        assertThat(api.only().json()).isEqualTo(Json.MAPPER.readTree(
                "{\"deployment_id\":\"dep_0\",\"note\":\"bad build\"}"));
        assertThat(r.out()).isEqualTo(nl(
                "rolling procedure flash-test (prc_1) back to deployment dep_0: its production stations swap to it"
                        + " between runs",
                "auto-push paused since 2026-12-01T10:00:00Z by ops (key_1): rollback (note: bad build)",
                "resume auto-push with: benchline resume prc_1"));
    }

    @Test
    void rollbackNeedsATarget() {
        Result r = run("rollback", "prc_1");
        assertThat(r.exit()).isEqualTo(Exit.USAGE);
        assertThat(r.err()).contains("--to");
        assertThat(api.requests).isEmpty();
    }

    @Test
    void resumeEndsThePause() throws Exception {
        api.answer("POST /v2/procedures/prc_1/resume", 200, "{\"id\":\"prc_1\",\"name\":\"flash-test\",\"paused\":null}");
        Result r = run("resume", "prc_1", "--note", "fixed");

        assertThat(r.exit()).isZero();
        assertThat(api.only().json()).isEqualTo(Json.MAPPER.readTree("{\"note\":\"fixed\"}"));
        assertThat(r.out()).isEqualTo(nl("resumed procedure flash-test (prc_1): auto-push is no longer paused"));
    }

    @Test
    void rerunPostsWithoutABody() {
        api.answer("POST /v2/deployments/dep_1/rerun", 202, """
                {"id":"dep_3","procedure":{"id":"prc_1","name":"flash-test"},"commit":{"sha":"abc","branch":"fix"},\
                "environment":"preview","status":"pending","retry_of":"dep_1"}""");
        Result r = run("rerun", "dep_1");

        assertThat(r.exit()).isZero();
        assertThat(api.only().body()).isEmpty();
        assertThat(api.only().contentType()).isNull();
        assertThat(r.out()).startsWith(nl("re-running deployment dep_1 as deployment dep_3",
                "  procedure:   flash-test (prc_1)", "  environment: preview", "  status:      pending"));
    }

    @Test
    void rerunOfADeploymentThatDidNotFailIsAConflict() {
        api.problem("POST /v2/deployments/dep_1/rerun", 409, """
                {"type":"https://benchline.io/problems/not-failed","title":"Not failed","status":409,\
                "detail":"deployment dep_1 is ready; only a failed deployment can be re-run"}""");
        Result r = run("rerun", "dep_1");
        assertThat(r.exit()).isEqualTo(Exit.CONFLICT);
        assertThat(r.err()).isEqualTo(nl("error: deployment dep_1 is ready; only a failed deployment can be re-run"));
        assertThat(r.out()).isEmpty();
    }

    // ---- delete

    @Test
    void deleteWithYesDeletes() {
        api.answer("DELETE /v2/deployments/dep_1", 204, null);
        Result r = run("delete", "dep_1", "--yes");

        assertThat(r.exit()).isZero();
        assertThat(api.only().method()).isEqualTo("DELETE");
        assertThat(r.out()).isEqualTo(nl("deleted deployment dep_1"));
    }

    @Test
    void deleteRefusedWhileStationsPointAtItNamesThem() {
        api.problem("DELETE /v2/deployments/dep_1", 409, IN_USE);
        Result r = run("delete", "dep_1", "-y");

        assertThat(r.exit()).isEqualTo(Exit.CONFLICT);
        assertThat(r.err()).isEqualTo(nl(
                "error: deployment dep_1 is in use by 2 stations; move them to another deployment first",
                "  stations: stn_1, stn_2",
                "  station_count: 2"));
        assertThat(r.out()).isEmpty();

        Result json = run("delete", "dep_1", "-y", "--json");
        assertThat(json.exit()).isEqualTo(Exit.CONFLICT);
        assertThat(json.out()).as("the problem as is, for scripts").isEqualTo(IN_USE + System.lineSeparator());
        assertThat(json.err()).startsWith("error: deployment dep_1 is in use by 2 stations");
    }

    @Test
    void deleteWithoutYesIsRefusedWhenNoOneCanBeAsked() {
        Result r = run("delete", "dep_1");
        assertThat(r.exit()).isEqualTo(Exit.USAGE);
        assertThat(r.err()).contains("without confirmation", "--yes");
        assertThat(api.requests).isEmpty();
    }

    @Test
    void deleteAsksOnATerminalAndDeletesOnYes() {
        terminal = new FakeTerminal(true, "y");
        api.answer("GET /v2/deployments/dep_2", 200, DEPLOYMENT);
        api.answer("DELETE /v2/deployments/dep_2", 204, null);
        Result r = run("delete", "dep_2");

        assertThat(r.exit()).isZero();
        assertThat(terminal.questions).containsExactly("Delete deployment dep_2 (procedure flash-test, production,"
                + " ready, commit 0123456789) for good? This cannot be undone.");
        assertThat(api.requests).extracting(FakeApi.Request::method).containsExactly("GET", "DELETE");
        assertThat(r.out()).isEqualTo(nl("deleted deployment dep_2"));
    }

    @Test
    void deleteAsksOnATerminalAndKeepsItOnNo() {
        terminal = new FakeTerminal(true, "n");
        api.answer("GET /v2/deployments/dep_2", 200, DEPLOYMENT);
        Result r = run("delete", "dep_2");

        assertThat(r.exit()).isEqualTo(Exit.USAGE);
        assertThat(r.err()).isEqualTo(nl("not deleted"));
        assertThat(api.requests).extracting(FakeApi.Request::method).containsExactly("GET");
    }

    @Test
    void deleteOfAnUnknownDeploymentIsNotFoundBeforeAnyQuestion() {
        terminal = new FakeTerminal(true, "y");
        api.problem("GET /v2/deployments/dep_x", 404,
                "{\"title\":\"Not found\",\"status\":404,\"detail\":\"deployment dep_x not found\"}");
        Result r = run("delete", "dep_x");
        assertThat(r.exit()).isEqualTo(Exit.NOT_FOUND);
        assertThat(r.err()).isEqualTo(nl("error: deployment dep_x not found"));
        assertThat(terminal.questions).isEmpty();
    }

    // ---- history

    private static final String STATION_PAGE_1 = """
            {"data":[{"id":"hst_9","at":"2026-12-01T10:05:00Z","action":"pin","reason":"pin","procedure_id":"prc_1",\
            "station_id":"stn_1","from_deployment_id":"dep_1","to_deployment_id":"dep_2","pointer_version":5,\
            "actor":{"key_id":"key_1","name":"ci"},"note":"hotfix"},\
            {"id":"hst_8","at":"2026-12-01T10:00:00Z","action":"move","reason":"fanout","procedure_id":"prc_1",\
            "station_id":"stn_1","from_deployment_id":null,"to_deployment_id":"dep_1","pointer_version":4,\
            "actor":null,"note":null}],"next_cursor":"hst_8"}""";
    private static final String STATION_PAGE_2 = """
            {"data":[{"id":"hst_3","at":"2026-11-30T09:00:00Z","action":"unlink","reason":"unlink",\
            "procedure_id":"prc_0","station_id":"stn_1","actor":{"key_id":"key_2","name":"ops"}}],\
            "next_cursor":null}""";

    @Test
    void historyOfAStationIsATableNewestFirst() {
        api.answer("GET /v2/stations/stn_1/history?limit=50", 200, STATION_PAGE_1);
        Result r = run("history", "--station", "stn_1");

        assertThat(r.exit()).isZero();
        assertThat(api.only().query()).isEqualTo("limit=50");
        assertThat(r.out()).isEqualTo(nl(
                "AT                    ACTION  REASON  PROCEDURE  FROM   TO     VERSION  BY          NOTE",
                "2026-12-01T10:05:00Z  pin     pin     prc_1      dep_1  dep_2  5        ci (key_1)  hotfix",
                "2026-12-01T10:00:00Z  move    fanout  prc_1      -      dep_1  4        -           -"));
        assertThat(r.err()).contains("--all");
    }

    @Test
    void historyAllFollowsTheCursor() throws Exception {
        api.answer("GET /v2/stations/stn_1/history?limit=2", 200, STATION_PAGE_1);
        api.answer("GET /v2/stations/stn_1/history?limit=2&cursor=hst_8", 200, STATION_PAGE_2);
        Result r = run("history", "--station", "stn_1", "--limit", "2", "--all");

        assertThat(r.exit()).isZero();
        assertThat(api.requests).extracting(FakeApi.Request::query).containsExactly("limit=2", "limit=2&cursor=hst_8");
        assertThat(r.out().lines().skip(1).map(l -> l.split("\\s+")[0]))
                .containsExactly("2026-12-01T10:05:00Z", "2026-12-01T10:00:00Z", "2026-11-30T09:00:00Z");
        assertThat(r.err()).isEmpty();

        Result json = run("history", "--station", "stn_1", "--limit", "2", "--all", "--json");
        JsonNode all = Json.MAPPER.readTree(json.out());
        assertThat(all.path("data")).extracting(e -> e.path("id").asText()).containsExactly("hst_9", "hst_8", "hst_3");
        assertThat(all.path("next_cursor").isNull()).isTrue();
    }

    @Test
    void historyJsonWithoutAllIsTheFirstPageAsIs() {
        api.answer("GET /v2/stations/stn_1/history?limit=50", 200, STATION_PAGE_1);
        Result r = run("history", "--station", "stn_1", "--json");
        assertThat(r.out()).isEqualTo(STATION_PAGE_1 + System.lineSeparator());
        assertThat(api.requests).hasSize(1);
    }

    @Test
    void historyOfAProcedureShowsTheStationColumn() {
        api.answer("GET /v2/procedures/prc_1/history?limit=10", 200, """
                {"data":[{"id":"hst_2","at":"2026-12-01T11:00:00Z","action":"rollback","reason":"rollback",\
                "procedure_id":"prc_1","station_id":"stn_1","from_deployment_id":"dep_1","to_deployment_id":"dep_0",\
                "pointer_version":6,"actor":{"key_id":"key_1","name":"ops"},"note":"bad build"},\
                {"id":"hst_1","at":"2026-12-01T10:59:00Z","action":"rollback","procedure_id":"prc_1",\
                "deployment_id":"dep_0","actor":{"key_id":"key_1","name":"ops"}}],"next_cursor":null}""");
        Result r = run("history", "--procedure", "prc_1", "--limit", "10");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo(nl(
                "AT                    ACTION    REASON    STATION  FROM   TO     VERSION  BY           NOTE",
                "2026-12-01T11:00:00Z  rollback  rollback  stn_1    dep_1  dep_0  6        ops (key_1)  bad build",
                "2026-12-01T10:59:00Z  rollback  -         -        -      dep_0  -        ops (key_1)  -"));
        assertThat(r.err()).isEmpty();
    }

    @Test
    void historyLeavesOutColumnsNoEntryHas() {
        api.answer("GET /v2/procedures/prc_1/history?limit=50", 200, """
                {"data":[{"id":"hst_1","at":"2026-12-01T11:00:00Z","action":"promote","procedure_id":"prc_1",\
                "deployment_id":"dep_2","from_deployment_id":"dep_1","actor":{"key_id":"key_1","name":"ops"},\
                "note":null}],"next_cursor":null}""");
        Result r = run("history", "--procedure", "prc_1");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo(nl(
                "AT                    ACTION   FROM   TO     BY",
                "2026-12-01T11:00:00Z  promote  dep_1  dep_2  ops (key_1)"));
        assertThat(r.err()).isEmpty();
    }

    @Test
    void historyTakesExactlyOneOfStationOrProcedure() {
        assertThat(run("history").exit()).isEqualTo(Exit.USAGE);
        assertThat(run("history", "--station", "stn_1", "--procedure", "prc_1").exit()).isEqualTo(Exit.USAGE);
        assertThat(run("history", "--station", "stn_1", "--limit", "0").exit()).isEqualTo(Exit.USAGE);
        assertThat(api.requests).isEmpty();
    }

    // ---- station timeline

    private static final String TIMELINE_PAGE_1 = """
            {"data":[{"at":"2026-12-01T10:09:00Z","kind":"run_finished","procedure_id":"prc_1","deployment_id":"dep_2",\
            "outcome":"passed","run_id":"run_7","serial_number":"SN-0042"},\
            {"at":"2026-12-01T10:08:00Z","kind":"run_started","procedure_id":"prc_1","deployment_id":"dep_2",\
            "run_id":"run_7","serial_number":"SN-0042"},\
            {"at":"2026-12-01T10:07:00Z","kind":"active","procedure_id":"prc_1","deployment_id":"dep_2"},\
            {"at":"2026-12-01T10:06:00Z","kind":"failed","procedure_id":"prc_1","deployment_id":"dep_3",\
            "reason":"signature does not verify"},\
            {"at":"2026-12-01T10:05:00Z","kind":"pin","reason":"pin","procedure_id":"prc_1",\
            "from_deployment_id":"dep_1","deployment_id":"dep_2","pointer_version":5,"by":"ci","note":"hotfix"}],\
            "next_cursor":"tl_1764583500000000_h00000000000000000008"}""";
    private static final String TIMELINE_PAGE_2 = """
            {"data":[{"at":"2026-12-01T10:00:00Z","kind":"move","reason":"rollout_stage","procedure_id":"prc_1",\
            "deployment_id":"dep_1","pointer_version":4},\
            {"at":"2026-11-30T09:00:00Z","kind":"unlink","reason":"unlink","procedure_id":"prc_0",\
            "from_deployment_id":"dep_0","by":"ops"}],"next_cursor":null}""";

    @Test
    void stationTimelineIsATableNewestFirst() {
        api.answer("GET /v2/stations/stn_1/timeline?limit=50", 200, TIMELINE_PAGE_1);
        Result r = run("station", "timeline", "stn_1");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(api.only().query()).isEqualTo("limit=50");
        assertThat(r.out()).isEqualTo(nl(
                "AT                    KIND          PROCEDURE  DEPLOYMENT     DETAIL",
                "2026-12-01T10:09:00Z  run_finished  prc_1      dep_2          passed, unit SN-0042, run run_7",
                "2026-12-01T10:08:00Z  run_started   prc_1      dep_2          unit SN-0042, run run_7",
                "2026-12-01T10:07:00Z  active        prc_1      dep_2          -",
                "2026-12-01T10:06:00Z  failed        prc_1      dep_3          signature does not verify",
                "2026-12-01T10:05:00Z  pin           prc_1      dep_1 → dep_2  by ci: hotfix"));
        assertThat(r.err()).isEqualTo(nl("(older entries: --all, or a larger --limit)"));
    }

    @Test
    void stationTimelineAllFollowsTheCursor() throws Exception {
        api.answer("GET /v2/stations/stn_1/timeline?limit=5", 200, TIMELINE_PAGE_1);
        api.answer("GET /v2/stations/stn_1/timeline?limit=5&cursor=tl_1764583500000000_h00000000000000000008", 200,
                TIMELINE_PAGE_2);
        Result r = run("station", "timeline", "stn_1", "--limit", "5", "--all");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(api.requests).extracting(FakeApi.Request::query).containsExactly("limit=5",
                "limit=5&cursor=tl_1764583500000000_h00000000000000000008");
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(8);
        assertThat(lines.get(6)).as("a move from no deployment").isEqualTo(
                "2026-12-01T10:00:00Z  move          prc_1      - → dep_1      rollout_stage");
        assertThat(lines.get(7)).as("an unlink clears the pointer").isEqualTo(
                "2026-11-30T09:00:00Z  unlink        prc_0      dep_0 → -      by ops");
        assertThat(r.err()).isEmpty();

        Result json = run("station", "timeline", "stn_1", "--limit", "5", "--all", "--json");
        JsonNode all = Json.MAPPER.readTree(json.out());
        assertThat(all.path("data")).extracting(e -> e.path("at").asText()).containsExactly("2026-12-01T10:09:00Z",
                "2026-12-01T10:08:00Z", "2026-12-01T10:07:00Z", "2026-12-01T10:06:00Z", "2026-12-01T10:05:00Z",
                "2026-12-01T10:00:00Z", "2026-11-30T09:00:00Z");
        assertThat(all.path("next_cursor").isNull()).isTrue();
        assertThat(all.path("data").get(0)).isEqualTo(Json.MAPPER.readTree(TIMELINE_PAGE_1).path("data").get(0));
    }

    @Test
    void stationTimelineJsonWithoutAllIsTheFirstPageAsIs() {
        api.answer("GET /v2/stations/stn_1/timeline?limit=50", 200, TIMELINE_PAGE_1);
        Result r = run("station", "timeline", "stn_1", "--json");
        assertThat(r.out()).isEqualTo(TIMELINE_PAGE_1 + System.lineSeparator());
        assertThat(r.err()).isEmpty();
        assertThat(api.requests).hasSize(1);
    }

    @Test
    void stationTimelineOfAQuietStation() {
        api.answer("GET /v2/stations/stn_1/timeline?limit=50", 200, "{\"data\":[],\"next_cursor\":null}");
        Result r = run("station", "timeline", "stn_1");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo(nl("nothing on the timeline of station stn_1"));
        assertThat(r.err()).isEmpty();
    }

    @Test
    void stationTimelineStopsOnACursorAnsweredTwice() {
        api.answer("GET /v2/stations/stn_1/timeline", 200, TIMELINE_PAGE_1);
        Result r = run("station", "timeline", "stn_1", "--all");

        assertThat(r.exit()).as("the fake answers the first page again for any cursor").isEqualTo(Exit.FAILED);
        assertThat(api.requests).hasSize(2);
        assertThat(r.err()).isEqualTo(nl("error: the server answered the cursor"
                + " tl_1764583500000000_h00000000000000000008 twice; stopping"));
    }

    @Test
    void stationTimelineNeedsAStationAndAPositiveLimit() {
        assertThat(run("station", "timeline").exit()).isEqualTo(Exit.USAGE);
        assertThat(run("station", "timeline", "stn_1", "--limit", "0").exit()).isEqualTo(Exit.USAGE);
        assertThat(run("station", "timeline", "stn_1", "--limit", "many").exit()).isEqualTo(Exit.USAGE);
        assertThat(api.requests).isEmpty();
    }

    @Test
    void stationTimelineTakesTheStationAsOnePathSegment() {
        api.answer("GET /v2/stations/stn%2F..%2Fx/timeline", 200, "{\"data\":[],\"next_cursor\":null}");
        assertThat(run("station", "timeline", "stn/../x").exit()).isZero();
        assertThat(api.only().path()).isEqualTo("/v2/stations/stn%2F..%2Fx/timeline");
    }

    // ---- api-keys

    @Test
    void apiKeysCreatePrintsTheSecretOnceWithAWarning() throws Exception {
        api.answer("POST /v2/api-keys", 201, """
                {"id":"key_7","name":"ci","role":"member","created_at":"2026-12-01T10:00:00Z",\
                "created_by":{"key_id":"key_1","name":"bootstrap"},"secret":"blk_s3cr3t"}""");
        Result r = run("api-keys", "create", "--name", "ci", "--role", "MEMBER");

        assertThat(r.exit()).isZero();
        assertThat(api.only().json()).isEqualTo(Json.MAPPER.readTree("{\"name\":\"ci\",\"role\":\"member\"}"));
        assertThat(r.out()).isEqualTo(nl("created API key key_7 \"ci\" with role member", "secret: blk_s3cr3t"));
        assertThat(r.err()).contains("shown only this once", "cannot be shown again");
    }

    @Test
    void apiKeysCreateRefusesAnUnknownRole() {
        Result r = run("api-keys", "create", "--name", "ci", "--role", "owner");
        assertThat(r.exit()).isEqualTo(Exit.USAGE);
        assertThat(r.err()).contains("admin, member, viewer");
        assertThat(api.requests).isEmpty();
    }

    @Test
    void apiKeysCreateShowsTheFieldErrorsOfA400() {
        api.problem("POST /v2/api-keys", 400, """
                {"title":"Invalid request","status":400,"detail":"the request has invalid fields",\
                "errors":[{"field":"name","message":"must not be blank"}]}""");
        Result r = run("api-keys", "create", "--name", " ", "--role", "viewer");
        assertThat(r.exit()).isEqualTo(Exit.USAGE);
        assertThat(r.err()).isEqualTo(nl("error: the request has invalid fields", "  name: must not be blank"));
    }

    @Test
    void apiKeysListIsATable() {
        api.answer("GET /v2/api-keys", 200, """
                {"data":[{"id":"key_1","name":"bootstrap","role":"admin","created_at":"2026-11-01T00:00:00Z",\
                "created_by":null,"revoked_at":null},{"id":"key_7","name":"ci","role":"member",\
                "created_at":"2026-12-01T10:00:00Z","created_by":{"key_id":"key_1","name":"bootstrap"},\
                "revoked_at":"2026-12-01T12:00:00Z"}]}""");
        Result r = run("api-keys", "list");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo(nl(
                "ID     NAME       ROLE    CREATED               CREATED BY         REVOKED",
                "key_1  bootstrap  admin   2026-11-01T00:00:00Z  -                  -",
                "key_7  ci         member  2026-12-01T10:00:00Z  bootstrap (key_1)  2026-12-01T12:00:00Z"));
    }

    @Test
    void apiKeysRevoke() {
        api.answer("DELETE /v2/api-keys/key_7", 204, null);
        Result r = run("api-keys", "revoke", "key_7");
        assertThat(r.exit()).isZero();
        assertThat(api.only().method()).isEqualTo("DELETE");
        assertThat(r.out()).isEqualTo(nl("revoked API key key_7"));
    }

    @Test
    void keysListShowsActiveAndRetiredKeys() {
        api.answer("GET /v2/keys", 200, """
                {"organization_id":"org_1","keys":[{"id":"ed25519-bbbbbbbbbbbbbbbb","key_id":"ed25519-bbbbbbbbbbbbbbbb",\
                "organization_id":"org_1","algorithm":"Ed25519","public_key":"AA==","created_at":"2026-12-01T10:00:00Z",\
                "activated_at":"2026-12-01T10:00:00Z","retired_at":null,"status":"active"},\
                {"id":"ed25519-aaaaaaaaaaaaaaaa","key_id":"ed25519-aaaaaaaaaaaaaaaa","organization_id":"org_1",\
                "algorithm":"Ed25519","public_key":"AA==","created_at":"2026-11-01T00:00:00Z",\
                "activated_at":"2026-11-01T00:00:00Z","retired_at":"2026-12-01T10:00:00Z","status":"retired"}]}""");
        Result r = run("keys", "list");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo(nl(
                "ID                        STATUS   CREATED               ACTIVATED             RETIRED",
                "ed25519-bbbbbbbbbbbbbbbb  active   2026-12-01T10:00:00Z  2026-12-01T10:00:00Z  -",
                "ed25519-aaaaaaaaaaaaaaaa  retired  2026-11-01T00:00:00Z  2026-11-01T00:00:00Z  2026-12-01T10:00:00Z"));
    }

    @Test
    void keysRotateNamesTheNewKey() {
        api.answer("POST /v2/keys/rotate", 201, """
                {"id":"ed25519-cccccccccccccccc","status":"active"}""");
        Result r = run("keys", "rotate");

        assertThat(r.exit()).isZero();
        assertThat(api.only().method() + " " + api.only().path()).isEqualTo("POST /v2/keys/rotate");
        assertThat(r.out()).isEqualTo(nl("signing key ed25519-cccccccccccccccc is active now"));
    }

    // ---- failures, for every command

    /** Each API command: its arguments and the request it sends. */
    static Stream<Arguments> commands() {
        return Stream.of(
                Arguments.of(List.of("pin", "dep_1", "--station", "stn_1"), "POST /v2/stations/stn_1/deployments/dep_1"),
                Arguments.of(List.of("pin", "dep_1", "--station", "stn_1", "--station", "stn_2"),
                        "POST /v2/stations/pins"),
                Arguments.of(List.of("unpin", "dep_1", "--station", "stn_1"),
                        "DELETE /v2/stations/stn_1/deployments/dep_1"),
                Arguments.of(List.of("unlink", "prc_1", "--station", "stn_1"), "DELETE /v2/stations/stn_1/links/prc_1"),
                Arguments.of(List.of("promote", "dep_1"), "POST /v2/deployments/dep_1/promote"),
                Arguments.of(List.of("rollback", "prc_1", "--to", "dep_0"), "POST /v2/procedures/prc_1/rollback"),
                Arguments.of(List.of("resume", "prc_1"), "POST /v2/procedures/prc_1/resume"),
                Arguments.of(List.of("delete", "dep_1", "--yes"), "DELETE /v2/deployments/dep_1"),
                Arguments.of(List.of("rerun", "dep_1"), "POST /v2/deployments/dep_1/rerun"),
                Arguments.of(List.of("history", "--station", "stn_1"), "GET /v2/stations/stn_1/history"),
                Arguments.of(List.of("history", "--procedure", "prc_1"), "GET /v2/procedures/prc_1/history"),
                Arguments.of(List.of("station", "timeline", "stn_1"), "GET /v2/stations/stn_1/timeline"),
                Arguments.of(List.of("station", "timeline", "stn_1", "--all"), "GET /v2/stations/stn_1/timeline"),
                Arguments.of(List.of("api-keys", "create", "--name", "n", "--role", "viewer"), "POST /v2/api-keys"),
                Arguments.of(List.of("api-keys", "list"), "GET /v2/api-keys"),
                Arguments.of(List.of("api-keys", "revoke", "key_1"), "DELETE /v2/api-keys/key_1"),
                Arguments.of(List.of("deployments", "list"), "GET /v2/deployments"),
                Arguments.of(List.of("keys", "fetch"), "GET /v2/keys"),
                Arguments.of(List.of("keys", "list"), "GET /v2/keys"),
                Arguments.of(List.of("keys", "rotate"), "POST /v2/keys/rotate"),
                Arguments.of(List.of("rollout", "create", "dep_1", "--stage", "100%"), "POST /v2/rollouts"),
                Arguments.of(List.of("rollout", "status", "rol_1"), "GET /v2/rollouts/rol_1"),
                Arguments.of(List.of("rollout", "status", "rol_1", "--follow"), "GET /v2/rollouts/rol_1"),
                Arguments.of(List.of("rollout", "list", "--procedure-id", "prc_1"), "GET /v2/rollouts"),
                Arguments.of(List.of("rollout", "advance", "rol_1"), "POST /v2/rollouts/rol_1/advance"),
                Arguments.of(List.of("rollout", "pause", "rol_1"), "POST /v2/rollouts/rol_1/pause"),
                Arguments.of(List.of("rollout", "resume", "rol_1"), "POST /v2/rollouts/rol_1/resume"),
                Arguments.of(List.of("rollout", "abort", "rol_1", "--yes"), "POST /v2/rollouts/rol_1/abort"),
                Arguments.of(List.of("rollout", "complete", "rol_1"), "POST /v2/rollouts/rol_1/complete"));
    }

    @ParameterizedTest
    @MethodSource("commands")
    void notFoundIsExit3WithTheDetail(List<String> args, String request) {
        api.problem(request, 404, "{\"type\":\"https://benchline.io/problems/not-found\",\"title\":\"Not found\","
                + "\"status\":404,\"detail\":\"no such thing in your organization\"}");
        Result r = run(args.toArray(String[]::new));

        assertThat(r.exit()).isEqualTo(Exit.NOT_FOUND);
        assertThat(r.err()).isEqualTo(nl("error: no such thing in your organization"));
        assertThat(api.only().method() + " " + api.only().path()).isEqualTo(request);
        assertThat(api.only().authorization()).isEqualTo("Bearer " + FakeApi.KEY);
    }

    @ParameterizedTest
    @MethodSource("commands")
    void forbiddenIsExit5WithTheDetail(List<String> args, String request) {
        api.problem(request, 403, "{\"type\":\"https://benchline.io/problems/missing-role\",\"title\":\"Forbidden\","
                + "\"status\":403,\"detail\":\"this needs the admin role; key key_9 is a viewer\"}");
        Result r = run(args.toArray(String[]::new));

        assertThat(r.exit()).isEqualTo(Exit.DENIED);
        assertThat(r.err()).isEqualTo(nl("error: this needs the admin role; key key_9 is a viewer"));
        assertThat(r.out()).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("commands")
    void conflictIsExit4WithTheDetailAndMembers(List<String> args, String request) {
        api.problem(request, 409, IN_USE);
        Result r = run(args.toArray(String[]::new));

        assertThat(r.exit()).isEqualTo(Exit.CONFLICT);
        assertThat(r.err()).contains("error: deployment dep_1 is in use", "  stations: stn_1, stn_2");
    }

    @Test
    void statusesMapToExitCodes() {
        int[][] cases = {{400, Exit.USAGE}, {401, Exit.DENIED}, {403, Exit.DENIED}, {404, Exit.NOT_FOUND},
                {409, Exit.CONFLICT}, {422, Exit.USAGE}, {429, Exit.FAILED}, {500, Exit.FAILED}, {503, Exit.FAILED}};
        for (int[] c : cases) {
            api.problem("POST /v2/deployments/dep_1/promote", c[0], "{\"status\":" + c[0] + ",\"title\":\"t\"}");
            Result r = run("promote", "dep_1");
            assertThat(r.exit()).as("HTTP %d", c[0]).isEqualTo(c[1]);
            assertThat(r.err()).as("HTTP %d: the title when there is no detail", c[0]).isEqualTo(nl("error: t"));
        }
    }

    @Test
    void aNonJsonErrorBodyIsShownAbbreviated() {
        api.text("POST /v2/deployments/dep_1/promote", 502, "Bad Gateway");
        Result r = run("promote", "dep_1", "--json");
        assertThat(r.exit()).isEqualTo(Exit.FAILED);
        assertThat(r.err()).isEqualTo(nl("error: POST /v2/deployments/dep_1/promote answered HTTP 502: Bad Gateway"));
        assertThat(r.out()).as("no JSON to print").isEmpty();
    }

    @Test
    void anUnreachableServerIsExit1() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Result r = runRaw("promote", "dep_1", "--url", "http://127.0.0.1:" + port, "--api-key", "k");
        assertThat(r.exit()).isEqualTo(Exit.FAILED);
        assertThat(r.err()).startsWith("error: POST http://127.0.0.1:" + port + "/v2/deployments/dep_1/promote failed:");
    }

    @Test
    void aSuccessWhoseBodyIsNotJsonIsExit1() {
        api.text("POST /v2/deployments/dep_1/promote", 200, "<html>login</html>");
        Result r = run("promote", "dep_1");
        assertThat(r.exit()).isEqualTo(Exit.FAILED);
        assertThat(r.err()).startsWith("error: ");
    }

    // ---- help

    @Test
    void helpListsTheCommandsAndTheExitCodes() {
        Result root = runRaw("--help");
        assertThat(root.exit()).isZero();
        assertThat(root.out()).contains("pin", "unpin", "unlink", "promote", "rollback", "resume", "delete", "rerun",
                "history", "station", "api-keys", "deploy", "dev", "rollout", "Exit codes:",
                "conflict, refused by a rule (409)");
        assertThat(runRaw("station", "--help").out()).contains("timeline");
        assertThat(runRaw("station", "timeline", "--help").out()).contains("STATION_ID", "--limit", "--all",
                "--json", "Exit codes:");

        Result delete = runRaw("delete", "--help");
        assertThat(delete.out()).contains("--yes", "Exit codes:", "not found (404)",
                "unauthorized or forbidden (401, 403)");
        Result create = runRaw("api-keys", "create", "--help");
        assertThat(create.out()).contains("--role", "Exit codes:");
        assertThat(runRaw("deploy", "--help").out()).contains("DIR", "--procedure-id", "--prod", "--max-size",
                "--no-follow", "Exit codes:");
        assertThat(runRaw("dev", "--help").out()).contains("--station", "--watch", "Exit codes:");
    }

    @Test
    void deploymentsListPrintsATableOrTheJsonAsIs() {
        String page = """
                {"data":[{"id":"dep_2","procedure":{"id":"prc_1","name":"flash-test"},"commit":{"sha":\
                "0123456789abcdef","branch":"main"},"environment":"production","status":"ready",\
                "created_at":"2026-12-01T10:00:00Z"}],"next_cursor":null}""";
        api.answer("GET /v2/deployments", 200, page);
        Result r = run("deployments", "list", "--procedure-id", "prc 1");
        assertThat(r.exit()).isZero();
        assertThat(api.only().query()).isEqualTo("limit=20&procedure_id=prc+1");
        assertThat(r.out()).isEqualTo(nl("ID     PROCEDURE   ENVIRONMENT  STATUS  COMMIT      BRANCH  CREATED",
                "dep_2  flash-test  production   ready   0123456789  main    2026-12-01T10:00:00Z"));
        assertThat(run("deployments", "list", "--json").out()).isEqualTo(page + System.lineSeparator());
    }

    @Test
    void yesMeansYes() {
        assertThat(Terminal.isYes("y")).isTrue();
        assertThat(Terminal.isYes(" YES ")).isTrue();
        assertThat(Terminal.isYes("")).isFalse();
        assertThat(Terminal.isYes("no")).isFalse();
        assertThat(Terminal.isYes(null)).isFalse();
    }
}
