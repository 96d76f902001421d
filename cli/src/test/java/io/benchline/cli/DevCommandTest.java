package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code benchline dev} against {@link FakeApi} and {@link FakeS3}. The heartbeat loop runs on a {@link DrivenPause}:
 * no sleeping; the test says when heartbeats may go and when the session stops (as Ctrl-C would).
 */
@Timeout(60) // a guard against a hang, not a measure
class DevCommandTest {
    private static final String POINTER = """
            {"station_id":"stn_1","procedure_id":"prc_1","deployment_id":"dep_1","pointer_version":4,"pinned":true}""";
    private static final String CREATED = FakeBuilds.deployment("dep_1", "development", "pending",
            "\"session_expires_at\":\"2026-12-01T10:01:00Z\",\"session_heartbeat_seconds\":5");

    @TempDir
    Path temp;

    private FakeApi api;
    private FakeS3 s3;
    private Path dir;

    record Result(int exit, String out, String err) {
    }

    /**
     * A pause that never sleeps: {@code sleep} waits until {@code gate} opens (or a stop), then stops when
     * {@code stopWhen} says so, and answers whether it is stopped.
     */
    static final class DrivenPause extends Pause.Stoppable {
        final CountDownLatch gate;
        final BooleanSupplier stopWhen;
        final List<Duration> sleeps = new CopyOnWriteArrayList<>();

        DrivenPause(CountDownLatch gate, BooleanSupplier stopWhen) {
            this.gate = gate;
            this.stopWhen = stopWhen;
        }

        @Override
        public boolean sleep(Duration duration) {
            sleeps.add(duration);
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (stopWhen.getAsBoolean()) {
                stop();
            }
            return stopped();
        }

        @Override
        public void stop() {
            super.stop();
            gate.countDown();
        }
    }

    @BeforeEach
    void start() throws Exception {
        api = new FakeApi();
        s3 = new FakeS3();
        dir = Files.createDirectories(temp.resolve("flash-test"));
        Files.writeString(dir.resolve("procedure.yaml"), "name: flash-test\n");
        Files.writeString(dir.resolve("main.py"), "print('flash')\n");
        FakeBuilds.uploads(api, s3);
        api.answer("POST /v2/deployments", 202, CREATED);
        FakeBuilds.build(api, "dep_1", "development", "ready", null);
        api.answer("POST /v2/deployments/dep_1/heartbeat", 200,
                "{\"deployment_id\":\"dep_1\",\"session_expires_at\":\"2026-12-01T10:01:05Z\"}");
        api.answer("DELETE /v2/deployments/dep_1/session", 204, null);
        api.answer("POST /v2/stations/stn_1/deployments/dep_1", 200, POINTER);
    }

    @AfterEach
    void stop() {
        api.close();
        s3.close();
    }

    private Result dev(Pause pause, String... args) {
        List<String> all = new ArrayList<>(List.of("dev", dir.toString(), "--procedure-id", "prc_1"));
        all.addAll(List.of(args));
        all.addAll(List.of("--url", api.url(), "--api-key", FakeApi.KEY));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Terminal noTerminal = new Terminal() {
            @Override
            public boolean interactive() {
                return false;
            }

            @Override
            public boolean confirm(String question) {
                throw new AssertionError("dev asks nothing");
            }
        };
        var cli = Main.commandLine(noTerminal, () -> pause);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(all.toArray(String[]::new));
        return new Result(exit, out.toString(), err.toString());
    }

    private List<String> requestLines() {
        return api.requests.stream().map(r -> r.method() + " " + r.path()).toList();
    }

    private long heartbeats(String id) {
        return api.requests("POST", "/v2/deployments/" + id + "/heartbeat").size();
    }

    private static String nl(String... lines) {
        return String.join(System.lineSeparator(), lines) + System.lineSeparator();
    }

    @Test
    void createsADevelopmentDeploymentPinsItBeatsAndEndsTheSessionOnStop() throws Exception {
        CountDownLatch pinned = new CountDownLatch(1);
        api.whenRequested("POST /v2/stations/stn_1/deployments/dep_1", pinned::countDown);
        DrivenPause pause = new DrivenPause(pinned, () -> heartbeats("dep_1") >= 2);
        Result r = dev(pause, "--station", "stn_1");

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode created = api.requests("POST", "/v2/deployments").get(0).json();
        assertThat(created.path("environment").asText()).isEqualTo("development");
        assertThat(created.path("upload_id").asText()).isEqualTo(FakeBuilds.UPLOAD_ID);
        assertThat(s3.only().header("Authorization")).isNull();
        assertThat(requestLines()).containsSubsequence("POST /v2/uploads", "POST /v2/deployments",
                "GET /v2/deployments/dep_1/logs", "GET /v2/deployments/dep_1",
                "POST /v2/stations/stn_1/deployments/dep_1", "POST /v2/deployments/dep_1/heartbeat",
                "POST /v2/deployments/dep_1/heartbeat", "DELETE /v2/deployments/dep_1/session");
        assertThat(heartbeats("dep_1")).isEqualTo(2);
        assertThat(api.requests("POST", "/v2/deployments/dep_1/heartbeat"))
                .allSatisfy(h -> assertThat(h.body()).as("no body").isEmpty());
        assertThat(requestLines()).last().isEqualTo("DELETE /v2/deployments/dep_1/session");
        assertThat(pause.sleeps).as("every session_heartbeat_seconds").containsOnly(Duration.ofSeconds(5));
        assertThat(r.out()).isEqualTo(nl(
                "created development deployment dep_1 of procedure prc_1 (session until 2026-12-01T10:01:00Z)",
                "t1 INFO installing",
                "t2 INFO checked dep_1",
                "deployment dep_1 ready: " + api.url() + "/v2/deployments/dep_1",
                "pinned deployment dep_1 to station stn_1 (procedure prc_1, pointer version 4)",
                "development session of deployment dep_1 open: heartbeat every 5 s; Ctrl-C ends it",
                "ended the development session of deployment dep_1"));
    }

    @Test
    void jsonIsOneObjectPerEvent() throws Exception {
        CountDownLatch pinned = new CountDownLatch(1);
        api.whenRequested("POST /v2/stations/stn_1/deployments/dep_1", pinned::countDown);
        Result r = dev(new DrivenPause(pinned, () -> true), "--station", "stn_1", "--json");

        assertThat(r.exit()).as(r.err()).isZero();
        List<JsonNode> events = new ArrayList<>();
        for (String line : r.out().split(System.lineSeparator())) {
            events.add(Json.MAPPER.readTree(line));
        }
        assertThat(events).extracting(e -> e.path("event").asText())
                .containsExactly("created", "ready", "pinned", "session_open", "ended");
        assertThat(events.get(0).path("deployment").path("id").asText()).isEqualTo("dep_1");
        assertThat(events.get(2).path("station_ids").get(0).asText()).isEqualTo("stn_1");
        assertThat(events.get(4).path("deployment_id").asText()).isEqualTo("dep_1");
    }

    @Test
    void aSessionTheServerEndedIsExit1WithItsMessage() {
        api.problem("POST /v2/deployments/dep_1/heartbeat", 409, "{\"type\":\"https://benchline.io/problems/"
                + "session-ended\",\"title\":\"Session ended\",\"status\":409,\"detail\":\"the development session of"
                + " deployment dep_1 ended at 2026-12-01T10:01:00Z\"}");
        Result r = dev(new DrivenPause(new CountDownLatch(0), () -> false));

        assertThat(r.exit()).isEqualTo(Exit.FAILED);
        assertThat(r.err()).contains("error: the development session of deployment dep_1 ended at 2026-12-01T10:01:00Z");
        assertThat(requestLines()).doesNotContain("DELETE /v2/deployments/dep_1/session");
    }

    @Test
    void aFailingHeartbeatIsReportedAndRetriedWithBackOff() {
        api.text("POST /v2/deployments/dep_1/heartbeat", 503, "unavailable");
        DrivenPause pause = new DrivenPause(new CountDownLatch(0), () -> heartbeats("dep_1") >= 3);
        Result r = dev(pause);

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("heartbeat of deployment dep_1 failed:", "HTTP 503", "retrying in 1 s",
                "retrying in 2 s", "retrying in 4 s");
        assertThat(pause.sleeps).as("the interval, then back-off after each failure")
                .containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(2),
                        Duration.ofSeconds(4));
        assertThat(requestLines()).last().isEqualTo("DELETE /v2/deployments/dep_1/session");
    }

    @Test
    void aStationRefusedForDevelopmentEndsTheSessionAndExitsWithItsCode() {
        api.problem("POST /v2/stations/stn_1/deployments/dep_1", 409, "{\"type\":\"https://benchline.io/problems/"
                + "not-a-development-station\",\"title\":\"Not a development station\",\"status\":409,\"detail\":"
                + "\"station stn_1 is not marked for development\"}");
        Result r = dev(new DrivenPause(new CountDownLatch(1), () -> false), "--station", "stn_1");

        assertThat(r.exit()).isEqualTo(Exit.CONFLICT);
        assertThat(r.err()).contains("error: station stn_1 is not marked for development");
        assertThat(requestLines()).containsSubsequence("POST /v2/stations/stn_1/deployments/dep_1",
                "DELETE /v2/deployments/dep_1/session");
        assertThat(heartbeats("dep_1")).isZero();
    }

    @Test
    void aFailedBuildEndsTheSessionAndIsExit1() {
        FakeBuilds.build(api, "dep_1", "development", "failed", "no procedure.yaml");
        Result r = dev(new DrivenPause(new CountDownLatch(1), () -> false), "--station", "stn_1");

        assertThat(r.exit()).isEqualTo(Exit.FAILED);
        assertThat(r.out()).contains("deployment dep_1 failed: no procedure.yaml");
        assertThat(requestLines()).doesNotContain("POST /v2/stations/stn_1/deployments/dep_1")
                .last().isEqualTo("DELETE /v2/deployments/dep_1/session");
    }

    @Test
    void watchDeploysAChangeAgainPinsItAndEndsThePreviousSession() throws Exception {
        api.answers("POST /v2/deployments", 202, CREATED, FakeBuilds.deployment("dep_2", "development", "pending",
                "\"session_heartbeat_seconds\":5"));
        FakeBuilds.build(api, "dep_2", "development", "ready", null);
        api.answer("POST /v2/stations/stn_1/deployments/dep_2", 200, POINTER.replace("dep_1", "dep_2"));
        api.answer("DELETE /v2/deployments/dep_2/session", 204, null);
        Files.writeString(dir.resolve(".gitignore"), "*.log\n");
        // Once dep_1 is pinned, the developer saves a file (and a log nobody deploys); once dep_1's session is
        // ended for dep_2, they press Ctrl-C.
        DrivenPause pause = new DrivenPause(new CountDownLatch(1), () -> false);
        api.whenRequested("POST /v2/stations/stn_1/deployments/dep_1", () -> {
            try {
                Files.writeString(dir.resolve("run.log"), "ignored\n");
                Files.writeString(dir.resolve("main.py"), "print('flash v2')\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        api.whenRequested("DELETE /v2/deployments/dep_1/session", pause::stop);
        Result r = dev(pause, "--station", "stn_1", "--watch");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(requestLines()).containsSubsequence("POST /v2/deployments",
                "POST /v2/stations/stn_1/deployments/dep_1", "POST /v2/deployments", "GET /v2/deployments/dep_2/logs",
                "POST /v2/stations/stn_1/deployments/dep_2", "DELETE /v2/deployments/dep_1/session",
                "DELETE /v2/deployments/dep_2/session");
        assertThat(s3.requests).hasSize(2);
        assertThat(entries(s3.requests.get(1).body())).containsEntry("main.py", "print('flash v2')\n")
                .doesNotContainKey("run.log");
        assertThat(r.out()).contains("changes in " + dir.toRealPath() + ": deploying again",
                "ended the development session of deployment dep_1", "ended the development session of deployment dep_2");
    }

    private static Map<String, String> entries(byte[] zip) throws IOException {
        Map<String, String> entries = new java.util.LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                entries.put(e.getName(), new String(in.readAllBytes()));
            }
        }
        return entries;
    }
}
