package io.benchline.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.events.EventSchemas;
import io.benchline.events.Topics;
import io.benchline.stack.GitPush;
import io.benchline.stack.LocalStack;
import io.benchline.stack.ProcessSupervisor;
import io.benchline.stack.StackOptions;
import io.benchline.testsupport.LocalPackageIndex;
import io.benchline.testsupport.SecretScan;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.benchline.e2e.Api.field;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The thin path through every service, on the real local stack: a signed GitHub push reaches
 * webhook-service, deployment-service creates the deployment, build-worker builds it from a real git
 * repository, artifact-store stores and signs it in S3, station-dispatcher moves the station's pointer and
 * a real agent process downloads, verifies and runs it, switching versions only between runs.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
@org.junit.jupiter.api.Order(org.junit.jupiter.api.Order.DEFAULT + 3) // last on the shared stack: see SharedStack
class PushToStationIT {
    private static final Duration WAIT = Duration.ofSeconds(120);

    private static LocalStack stack;
    private static Path work;
    private static Api api;
    private static ProcessSupervisor.Child agent;
    /** Every span of the shared stack (every class's): the trace test picks its own by deployment and trace id. */
    private static OtlpReceiver traces;
    static final LocalPackageIndex.Wheel RAILS = SharedStack.RAILS;
    static final LocalPackageIndex.Wheel BROKEN = SharedStack.BROKEN;

    @BeforeAll
    static void startStack() throws Exception {
        work = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "e2e-");
        // The shared stack: the extra environment this class needs (SharedStack.extraEnv) and traces on, exported to
        // a receiver in this JVM. The other classes of the stack make their own procedures, stations and keys.
        SharedStack shared = SharedStack.get();
        stack = shared.stack;
        traces = shared.traces;
        api = new Api(stack.baseUrl(), stack.apiKey());
    }

    @AfterAll
    static void stopAgent() {
        // The stack goes on for the other classes: leave no agent of this class polling it (a failed test's).
        if (agent != null && stack != null) {
            stack.stopProcess(agent);
        }
    }

    /**
     * One push is one trace from the request that delivered it to the agent that switched to its build: every span
     * of every service in it, with one root and every other span's parent in the same trace, across the outbox rows
     * and Kafka records of each hop (webhook-service -> deployment-service -> build-worker -> deployment-service ->
     * station-dispatcher), the fan-out job, the artifact upload and the agent's assignment.
     */
    @Test
    void onePushIsOneTraceFromTheWebhookToTheAgent() throws Exception {
        Path repo = newRepository("trace-check");
        Files.writeString(repo.resolve("procedure.yaml"), "name: trace-check\nruntime: python 3.11\nentry_point: run.py\n");
        Files.writeString(repo.resolve("run.py"), "print('ok')\n");
        GitPush.git(repo, "add", ".");
        GitPush.git(repo, "commit", "-q", "-m", "Trace check");
        String commit = GitPush.git(repo, "rev-parse", "HEAD").trim();
        JsonNode procedure = api.post("/v2/procedures", Map.of("name", "trace-check", "repository", Map.of(
                "provider", "github", "clone_url", "file://" + repo.toAbsolutePath(), "full_name", "acme/trace-check"),
                "production_branch", "main", "auto_push", true)).expect(201).json();
        String procedureId = procedure.get("id").asText();
        JsonNode station = api.post("/v2/stations", Map.of("name", "bench-trace")).expect(201).json();
        String stationId = station.get("id").asText();
        api.post("/v2/stations/" + stationId + "/links", Map.of("procedure_id", procedureId,
                "environment", "production")).expect(201);
        ProcessSupervisor.Child traceAgent = startAgent("trace", station);
        try {
            byte[] payload = GitPush.payload(repo, "acme/trace-check", "file://" + repo.toAbsolutePath(), "main",
                    GitPush.ZERO, commit);
            var answer = GitPush.send(stack.baseUrl(), procedure.at("/webhook/id").asText(),
                    procedure.at("/webhook/secret").asText(), payload, UUID.randomUUID().toString());
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
            String deploymentId = awaitReady(procedureId, commit);
            awaitActual(stationId, procedureId, deploymentId);

            // The build's span names the deployment; its trace is the push's. Spans arrive in batches: wait for the
            // last hop, then for the trace to hold together (a parent exported after its child).
            String traceId = Await.until("the build's span is exported", WAIT, () -> traces.spans().stream()
                    .filter(s -> "build".equals(s.name()) && deploymentId.equals(s.attribute("benchline.deployment.id")))
                    .map(OtlpReceiver.Span::traceId).findFirst().orElse(null));
            List<OtlpReceiver.Span> trace = Await.until("the trace reaches the agent and holds together", WAIT, () -> {
                List<OtlpReceiver.Span> spans = traces.trace(traceId);
                return hops(spans, stationId).isEmpty() && orphans(spans).isEmpty() ? spans : null;
            }, () -> "missing " + hops(traces.trace(traceId), stationId) + ", orphans "
                    + orphans(traces.trace(traceId)) + " in " + traces.trace(traceId));
            List<OtlpReceiver.Span> roots = trace.stream().filter(s -> s.parentSpanId().isEmpty()).toList();
            assertThat(roots).as("the trace's root: the delivery's request").hasSize(1);
            assertThat(roots.get(0).kind()).isEqualTo(OtlpReceiver.Span.KIND_SERVER);
            assertThat(roots.get(0).service()).isIn("gateway", "webhook-service");
            System.out.printf("one push, one trace %s: %d spans from %s%n", traceId, trace.size(),
                    trace.stream().map(OtlpReceiver.Span::service).distinct().sorted().toList());
        } finally {
            stack.stopProcess(traceAgent);
        }
    }

    /**
     * A procedure in TofuPilot's format, as its public templates are written (procedure.yaml with unit, plugs and
     * setup/main/teardown phases; pyproject.toml with requires-python): it builds from a push with its runtime
     * resolved, its commit has one digest whether built from main, from another branch or by SHA, the station runs its
     * phases with the built-in runner for the unit each run request names, and each run reports every phase's outcome
     * (a measurement out of limits fails the run); a broken procedure.yaml fails its build listing every problem with
     * its line.
     */
    @Test
    void aTofuPilotFormatProcedureBuildsOnceAndRunsItsPhasesOnTheStation() throws Exception {
        Path repo = newRepository("power-board");
        writePowerBoard(repo);
        GitPush.git(repo, "add", ".");
        GitPush.git(repo, "commit", "-q", "-m", "Power board functional test");
        String commit = GitPush.git(repo, "rev-parse", "HEAD").trim();

        JsonNode procedure = api.post("/v2/procedures", Map.of("name", "power-board", "repository", Map.of(
                "provider", "github", "clone_url", "file://" + repo.toAbsolutePath(), "full_name", "acme/power-board"),
                "production_branch", "main", "auto_push", true)).expect(201).json();
        String procedureId = procedure.get("id").asText();
        String hookId = procedure.at("/webhook/id").asText();
        String secret = procedure.at("/webhook/secret").asText();
        JsonNode station = api.post("/v2/stations", Map.of("name", "bench-power")).expect(201).json();
        String stationId = station.get("id").asText();
        api.post("/v2/stations/" + stationId + "/links", Map.of("procedure_id", procedureId,
                "environment", "production")).expect(201);
        ProcessSupervisor.Child powerAgent = startAgent("power", station);
        try {
            // 1. A push to main builds it, its runtime resolved from pyproject.toml.
            byte[] payload = GitPush.payload(repo, "acme/power-board", "file://" + repo.toAbsolutePath(), "main",
                    GitPush.ZERO, commit);
            assertThat(GitPush.send(stack.baseUrl(), hookId, secret, payload, UUID.randomUUID().toString())
                    .statusCode()).isEqualTo(202);
            String production = awaitReady(procedureId, commit);
            JsonNode built = api.get("/v2/deployments/" + production).expect(200).json();
            assertThat(built.path("runtime_version").asText()).as(built.toString()).isEqualTo("3.11");
            assertThat(built.path("platform").asText()).isEqualTo("any");
            List<String> logLines = new ArrayList<>();
            api.get("/v2/deployments/" + production + "/logs").expect(200).json().get("data")
                    .forEach(l -> logLines.add(l.get("text").asText()));
            assertThat(logLines).anyMatch(l -> l.contains("(TofuPilot format): python 3.11 (from uv.lock"
                    + " requires-python)"));
            assertThat(logLines).anyMatch(l -> l.contains("package bench-rails 1.2.0: " + RAILS.filename()));
            List<String> paths = new ArrayList<>();
            api.get("/v2/deployments/" + production + "/contents").expect(200).json().get("data")
                    .forEach(f -> paths.add(f.get("path").asText()));
            assertThat(paths).contains("wheels/" + RAILS.filename(), "uv.lock", "procedure.yaml");

            // The log as a stream through the gateway (the build is over: every line, then the end).
            String followed = cli("logs", production, "--follow");
            assertThat(followed).contains("(TofuPilot format): python 3.11").endsWith("build ready\n");

            // 2. One commit, one digest: from another branch and by SHA too.
            String digest = built.at("/artifact/digest").asText();
            byte[] feature = GitPush.payload(repo, "acme/power-board", "file://" + repo.toAbsolutePath(),
                    "feature/rails", GitPush.ZERO, commit);
            assertThat(GitPush.send(stack.baseUrl(), hookId, secret, feature, UUID.randomUUID().toString())
                    .statusCode()).isEqualTo(202);
            String bySha = api.post("/v2/deployments", Map.of("procedure_id", procedureId, "commit_sha", commit))
                    .expect(202).json().get("id").asText();
            Await.until("three ready builds of one commit", WAIT, () -> {
                int ready = 0;
                for (JsonNode d : api.get("/v2/deployments?procedure_id=" + procedureId).expect(200).json()
                        .get("data")) {
                    ready += "ready".equals(d.path("status").asText()) ? 1 : 0;
                }
                return ready >= 3 ? true : null;
            });
            for (JsonNode d : api.get("/v2/deployments?procedure_id=" + procedureId).expect(200).json().get("data")) {
                assertThat(d.at("/artifact/digest").asText()).as("%s (%s, %s)", d.get("id").asText(),
                        d.path("environment").asText(), d.at("/commit/branch").asText()).isEqualTo(digest);
            }
            assertThat(api.get("/v2/deployments/" + bySha).expect(200).json().at("/artifact/digest").asText())
                    .isEqualTo(digest);

            // 3. The station installs the wheel into the deployment's environment before it is active, then runs the
            // phases for the unit each request names.
            awaitActual(stationId, procedureId, production);
            assertThat(work.resolve("station-power/procedures").resolve(procedureId).resolve(production)
                    .resolve(".venv/benchline-installed")).exists();
            Await.until("the pointer shows the deployment active", WAIT, () -> "active".equals(
                    pointer(stationId, procedureId).at("/agent_state/state").asText()) ? true : null);
            String good = api.post("/v2/stations/" + stationId + "/run-requests", Map.of("procedure_id", procedureId,
                    "serial_number", "PB-000042")).expect(202).json().get("id").asText();
            JsonNode passed = Await.until("the run of PB-000042 finished", WAIT, () -> run(stationId, good, "finished"));
            assertThat(passed.get("outcome").asText()).as(passed.toString()).isEqualTo("passed");
            assertThat(passed.get("serial_number").asText()).isEqualTo("PB-000042");
            List<String> phaseOutcomes = new ArrayList<>();
            passed.get("phases").forEach(p -> phaseOutcomes.add(p.get("group").asText() + ":" + p.get("key").asText()
                    + ":" + p.get("outcome").asText()));
            assertThat(phaseOutcomes).containsExactly("setup:power_on:pass", "main:voltage:pass",
                    "main:firmware_check:pass", "teardown:power_off:pass");
            assertThat(passed.at("/phases/2/measurements/1/value").asDouble()).as("the vendored package's")
                    .isEqualTo(5.2);
            assertThat(passed.at("/phases/1/measurements/0/value").asDouble()).isEqualTo(5.0);

            String high = api.post("/v2/stations/" + stationId + "/run-requests", Map.of("procedure_id", procedureId,
                    "serial_number", "PB-000043-HI")).expect(202).json().get("id").asText();
            JsonNode failed = Await.until("the run of PB-000043-HI finished", WAIT, () -> run(stationId, high,
                    "finished"));
            assertThat(failed.get("outcome").asText()).as(failed.toString()).isEqualTo("failed");
            assertThat(failed.at("/phases/1/outcome").asText()).isEqualTo("fail");
            assertThat(failed.at("/phases/1/measurements/0/outcome").asText()).isEqualTo("FAIL");
            assertThat(failed.at("/phases/2/outcome").asText()).as("depends on the failed phase").isEqualTo("skip");
            assertThat(failed.at("/phases/3/outcome").asText()).as("teardown runs anyway").isEqualTo("pass");
            // deployment-service has them too, from station.runs
            Await.until("deployment-service lists both runs with their units and phases", WAIT, () -> {
                JsonNode runs = api.get("/v2/deployments/" + production + "/runs").expect(200).json().get("data");
                List<String> units = new ArrayList<>();
                runs.forEach(r -> units.add(r.path("serial_number").asText() + ":" + r.path("outcome").asText() + ":"
                        + r.path("phases").size()));
                return units.containsAll(List.of("PB-000042:passed:4", "PB-000043-HI:failed:4")) ? true : null;
            });

            // 4. A package the station cannot install: reported with the installer's output; the station keeps
            // running the active version.
            Files.writeString(repo.resolve("uv.lock"), LocalPackageIndex.uvLock("power-board-test", ">=3.10,<3.12",
                    RAILS, BROKEN));
            GitPush.git(repo, "commit", "-q", "-am", "Add bench-broken");
            String brokenInstall = GitPush.git(repo, "rev-parse", "HEAD").trim();
            byte[] push3 = GitPush.payload(repo, "acme/power-board", "file://" + repo.toAbsolutePath(), "main",
                    commit, brokenInstall);
            assertThat(GitPush.send(stack.baseUrl(), hookId, secret, push3, UUID.randomUUID().toString())
                    .statusCode()).isEqualTo(202);
            String uninstallable = awaitReady(procedureId, brokenInstall);
            JsonNode failedInstall = Await.until("the station reports the failed install", WAIT, () -> {
                JsonNode p = pointer(stationId, procedureId);
                return uninstallable.equals(p.at("/agent_state/deployment_id").asText())
                        && "failed".equals(p.at("/agent_state/state").asText()) ? p : null;
            });
            assertThat(failedInstall.at("/agent_state/reason").asText()).contains("cannot install")
                    .contains("installing 2 vendored wheels failed");
            assertThat(failedInstall.path("deployment_id").asText()).as("desired").isEqualTo(uninstallable);
            assertThat(failedInstall.path("actual_deployment_id").asText()).as("still running").isEqualTo(production);

            // 5. A broken procedure.yaml on a branch: a failed build naming every problem with its line.
            GitPush.git(repo, "checkout", "-q", "-b", "broken");
            Files.writeString(repo.resolve("procedure.yaml"), Files.readString(repo.resolve("procedure.yaml"))
                    .replace("depends_on: [voltage]", "depends_on: [current]")
                    .replace("python: phases.power:power_off", "python: phases.power_supply:power_off"));
            GitPush.git(repo, "commit", "-q", "-am", "Broken references");
            String brokenCommit = GitPush.git(repo, "rev-parse", "HEAD").trim();
            byte[] broken = GitPush.payload(repo, "acme/power-board", "file://" + repo.toAbsolutePath(), "broken",
                    GitPush.ZERO, brokenCommit);
            assertThat(GitPush.send(stack.baseUrl(), hookId, secret, broken, UUID.randomUUID().toString())
                    .statusCode()).isEqualTo(202);
            JsonNode failedBuild = Await.until("the broken build failed", WAIT, () -> {
                for (JsonNode d : api.get("/v2/deployments?procedure_id=" + procedureId).expect(200).json()
                        .get("data")) {
                    if (brokenCommit.equals(d.at("/commit/sha").asText()) && "failed".equals(d.path("status").asText())) {
                        return d;
                    }
                }
                return null;
            });
            String reason = api.get("/v2/deployments/" + failedBuild.get("id").asText()).expect(200).json()
                    .path("failure_reason").asText();
            assertThat(reason).contains("procedure.yaml is invalid")
                    .contains("line 30: main phase 'firmware_check' depends on unknown phase 'current'")
                    .contains("line 41: teardown[0] (Power Off).python 'phases.power_supply:power_off':"
                            + " phases/power_supply.py is not in the repository at this commit");
        } finally {
            stack.stopProcess(powerAgent);
        }
    }


    /**
     * A working tree that is no git repository, with files .gitignore leaves out: {@code benchline deploy --prod}
     * uploads it (presigned PUT to S3) and its production deployment reaches the station, installs its wheel and
     * runs its phases; {@code --json} makes a preview of the same tree, one digest; a broken tree fails the CLI with
     * exit 1; {@code benchline dev} pins a development deployment to the station marked for development while the
     * session runs, and once the CLI stops the station goes back and the deployment and its artifact are gone.
     */
    @Test
    void aWorkingTreeDeploysFromTheCliAndADevelopmentSessionLeavesNoTrace() throws Exception {
        Path tree = work.resolve("bench-tree");
        Files.createDirectories(tree);
        writePowerBoard(tree);
        Files.writeString(tree.resolve(".gitignore"), "captures/\n*.log\n");
        Files.createDirectories(tree.resolve("captures"));
        Files.write(tree.resolve("captures/scope.bin"), new byte[2 * 1024 * 1024]);
        Files.writeString(tree.resolve("bench.log"), "last night's run\n");

        String procedureId = api.post("/v2/procedures", Map.of("name", "bench-tree")).expect(201).json().get("id")
                .asText();
        JsonNode station = api.post("/v2/stations", Map.of("name", "bench-tree-station")).expect(201).json();
        String stationId = station.get("id").asText();
        api.post("/v2/stations/" + stationId + "/links", Map.of("procedure_id", procedureId,
                "environment", "production")).expect(201);
        ProcessSupervisor.Child treeAgent = startAgent("tree", station);
        Process dev = null;
        try {
            // 1. Production from the working tree.
            CliResult deployed = cliResult("deploy", tree.toString(), "--procedure-id", procedureId, "--prod",
                    "--yes");
            assertThat(deployed.exit()).as(deployed.out()).isZero();
            String production = firstDeploymentId(deployed.out());
            assertThat(deployed.out()).contains(stack.baseUrl() + "/v2/deployments/" + production);
            JsonNode built = api.get("/v2/deployments/" + production).expect(200).json();
            assertThat(built.path("status").asText()).isEqualTo("ready");
            assertThat(built.path("source").asText()).isEqualTo("upload");
            assertThat(built.path("environment").asText()).isEqualTo("production");
            assertThat(built.path("trigger").asText()).isEqualTo("manual");
            assertThat(built.path("runtime_version").asText()).isEqualTo("3.11");
            List<String> paths = new ArrayList<>();
            api.get("/v2/deployments/" + production + "/contents").expect(200).json().get("data")
                    .forEach(f -> paths.add(f.get("path").asText()));
            assertThat(paths).contains("procedure.yaml", "uv.lock", "phases/voltage.py", ".gitignore",
                    "wheels/" + RAILS.filename()).noneMatch(p -> p.startsWith("captures/") || p.endsWith(".log"));

            awaitActual(stationId, procedureId, production);
            String runRequest = api.post("/v2/stations/" + stationId + "/run-requests", Map.of("procedure_id",
                    procedureId, "serial_number", "PB-000100")).expect(202).json().get("id").asText();
            JsonNode passed = Await.until("the run of PB-000100 finished", WAIT, () -> run(stationId, runRequest,
                    "finished"));
            assertThat(passed.get("outcome").asText()).as(passed.toString()).isEqualTo("passed");
            assertThat(passed.get("deployment_id").asText()).isEqualTo(production);
            assertThat(passed.get("phases").size()).isEqualTo(4);

            // 2. A preview of the same tree, as JSON: the same artifact bytes.
            CliResult preview = cliResult("deploy", tree.toString(), "--procedure-id", procedureId, "--json");
            assertThat(preview.exit()).as(preview.out()).isZero();
            JsonNode previewJson = Api.JSON_READER.readTree(preview.out());
            assertThat(previewJson.path("environment").asText()).isEqualTo("preview");
            assertThat(previewJson.path("status").asText()).isEqualTo("ready");
            assertThat(previewJson.at("/artifact/digest").asText()).isEqualTo(built.at("/artifact/digest").asText());

            // 3. A broken tree: the build fails and so does the CLI, with the reason.
            Path broken = work.resolve("bench-tree-broken");
            Files.createDirectories(broken);
            Files.writeString(broken.resolve("procedure.yaml"), "name: broken\nmain:\n  - python: phases.gone\n");
            CliResult failed = cliResult("deploy", broken.toString(), "--procedure-id", procedureId);
            assertThat(failed.exit()).as(failed.out()).isEqualTo(1);
            String failedId = firstDeploymentId(failed.out());
            assertThat(api.get("/v2/deployments/" + failedId).expect(200).json().path("failure_reason").asText())
                    .contains("procedure.yaml is invalid");

            // 4. A development session on the station marked for development, with a change not deployed before.
            api.patch("/v2/stations/" + stationId, Map.of("development", true)).expect(200);
            Files.writeString(tree.resolve("phases/power.py"), Files.readString(tree.resolve("phases/power.py"))
                    .replace("power on", "power on (dev)"));
            dev = new ProcessBuilder(cliCommand("dev", tree.toString(), "--procedure-id", procedureId, "--station",
                    stationId)).redirectErrorStream(true).redirectOutput(work.resolve("dev.log").toFile()).start();
            String development = Await.until("a development deployment is active on the station", WAIT, () -> {
                JsonNode p = pointer(stationId, procedureId);
                String actual = p.path("actual_deployment_id").asText();
                return !actual.equals(production) && !actual.isEmpty() && p.path("pinned").asBoolean() ? actual : null;
            });
            JsonNode devDeployment = api.get("/v2/deployments/" + development).expect(200).json();
            assertThat(devDeployment.path("environment").asText()).isEqualTo("development");
            assertThat(devDeployment.path("session_expires_at").asText()).isNotEmpty();
            String devDigest = devDeployment.at("/artifact/digest").asText();
            assertThat(devDigest).isNotEqualTo(built.at("/artifact/digest").asText());
            String devRun = api.post("/v2/stations/" + stationId + "/run-requests", Map.of("procedure_id",
                    procedureId, "serial_number", "PB-000101")).expect(202).json().get("id").asText();
            JsonNode onDev = Await.until("the run on the development deployment finished", WAIT,
                    () -> run(stationId, devRun, "finished"));
            assertThat(onDev.get("deployment_id").asText()).isEqualTo(development);
            // Heartbeats keep it: the session lives well past one session timeout... the positive signal is a
            // later expiry than the first one.
            String firstExpiry = devDeployment.path("session_expires_at").asText();
            Await.until("a heartbeat moved the session on", WAIT, () -> {
                String now = api.get("/v2/deployments/" + development).expect(200).json()
                        .path("session_expires_at").asText();
                return java.time.Instant.parse(now).isAfter(java.time.Instant.parse(firstExpiry)) ? true : null;
            });

            // The CLI stops (SIGTERM): the session ends, the station goes back, the deployment and its bytes go.
            dev.destroy();
            assertThat(dev.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(dev.exitValue()).as(Files.readString(work.resolve("dev.log"))).isIn(0, 143);
            Await.until("the development deployment is removed", WAIT, () -> api.get("/v2/deployments/"
                    + development).status() == 410 ? true : null);
            awaitActual(stationId, procedureId, production);
            assertThat(pointer(stationId, procedureId).path("pinned").asBoolean()).isFalse();
            Await.until("the development artifact left S3", WAIT, () -> java.net.http.HttpClient.newHttpClient()
                    .send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(stack.serviceUrl("artifact-store")
                                    + "/internal/v1/artifacts/" + devDigest + "/contents"))
                            .header("X-Benchline-Internal-Token", stack.internalToken()).build(),
                            java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 404 ? true : null);
        } finally {
            if (dev != null) {
                dev.destroyForcibly();
            }
            stack.stopProcess(treeAgent);
        }
    }

    private record CliResult(int exit, String out) {
    }

    private static List<String> cliCommand(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", stack.layout().cliJar().toString(), "io.benchline.cli.Main"));
        command.addAll(List.of(args));
        command.addAll(List.of("--url", stack.baseUrl(), "--api-key", stack.apiKey()));
        return command;
    }

    /** The CLI's exit code and standard output; its standard error goes to the test's. */
    private static CliResult cliResult(String... args) throws Exception {
        Process process = new ProcessBuilder(cliCommand(args)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        return new CliResult(process.waitFor(), out);
    }

    private static String firstDeploymentId(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("dep_[0-9a-z]{26}").matcher(text);
        assertThat(m.find()).as("a deployment id in %s", text).isTrue();
        return m.group();
    }

    /**
     * The power-board procedure in TofuPilot's format: a plug, setup/main/teardown phases with measurements and
     * validators, pyproject.toml and a uv.lock that pins one wheel of the local index. Units whose serial ends in
     * {@code -HI} read high and fail the voltage phase.
     */
    private static void writePowerBoard(Path repo) throws Exception {
        Files.createDirectories(repo.resolve("phases"));
        Files.createDirectories(repo.resolve("plugs"));
        Files.writeString(repo.resolve("procedure.yaml"), """
                name: Power Board Functional Test
                version: "1.2.0"
                unit:
                  serial_number:
                    placeholder: "PB-000000"
                    default_value: "PB-000001"
                plugs:
                  - name: Power Supply
                    key: psu
                    python: plugs.psu:PowerSupply
                    config:
                      volts: 5.0
                setup:
                  - name: Power On
                    python: phases.power:power_on
                    timeout: 10s
                main:
                  - key: voltage
                    name: Output Voltage
                    python: phases.voltage
                    timeout: 30s
                    measurements:
                      - name: Output Voltage
                        unit: V
                        validators:
                          - {operator: ">=", expected_value: 4.8}
                          - {operator: "<=", expected_value: 5.2}
                  - name: Firmware Check
                    python: phases.firmware:check_firmware
                    depends_on: [voltage]
                    measurements:
                      - name: Firmware Version
                        validators:
                          - {operator: matches, expected_value: "^2\\\\."}
                      - name: Rail Limit
                        unit: V
                        validators:
                          - {operator: "==", expected_value: 5.2}
                teardown:
                  - name: Power Off
                    python: phases.power:power_off
                """);
        Files.writeString(repo.resolve("pyproject.toml"), """
                [project]
                name = "power-board-test"
                version = "0.1.0"
                requires-python = ">=3.10,<3.13"
                dependencies = ["bench-rails==1.2.0"]
                """);
        Files.writeString(repo.resolve("uv.lock"), LocalPackageIndex.uvLock("power-board-test", ">=3.10,<3.12",
                RAILS));
        Files.writeString(repo.resolve("plugs/psu.py"), """
                class PowerSupply:
                    def __init__(self, volts):
                        self.volts = volts

                    def read(self, serial):
                        # the bench's fault: units whose serial ends in -HI read high
                        return self.volts + (0.6 if str(serial).endswith("-HI") else 0.0)
                """);
        Files.writeString(repo.resolve("phases/power.py"), """
                def power_on(psu, log):
                    log.info("power on")


                def power_off(log):
                    log.info("power off")
                """);
        Files.writeString(repo.resolve("phases/voltage.py"), """
                def voltage(measurements, psu, unit, log):
                    measurements.output_voltage = psu.read(unit.serial_number)
                    log.info("unit %s: %s V" % (unit.serial_number, measurements.output_voltage))
                """);
        Files.writeString(repo.resolve("phases/firmware.py"), """
                import bench_rails


                def check_firmware(measurements):
                    measurements.firmware_version = "2.4.1"
                    # from the vendored package, installed in the deployment's own environment
                    measurements.rail_limit = bench_rails.LIMIT
                """);
    }

    /** A new git repository in the work folder, on main, with the test author. */
    private static Path newRepository(String name) throws Exception {
        Path repo = work.resolve(name);
        Files.createDirectories(repo);
        GitPush.git(repo, "init", "-q", "-b", "main");
        GitPush.git(repo, "config", "user.name", "Ada Tester");
        GitPush.git(repo, "config", "user.email", "ada@example.com");
        return repo;
    }

    /** A real agent process for the station, trusting the organization's keys, in {@code station-<name>}. */
    private static ProcessSupervisor.Child startAgent(String name, JsonNode station) throws Exception {
        Path trustedKeys = work.resolve("trusted-keys-" + name + ".json");
        Files.writeString(trustedKeys, api.get("/v2/keys").expect(200).body());
        return stack.startJavaProcess("e2e-agent-" + name, stack.layout().cliJar().toString(), "io.benchline.cli.Main",
                List.of("agent", "--url", stack.baseUrl(), "--token", station.get("agent_token").asText(),
                        "--trusted-keys", trustedKeys.toString(), "--work-dir", work.resolve("station-" + name).toString(),
                        "--poll-interval", "500ms"),
                work.resolve("agent-" + name + ".log"));
    }

    /** The hops a push's trace must hold that these spans lack, by name. */
    private static List<String> hops(List<OtlpReceiver.Span> spans, String stationId) {
        Map<String, java.util.function.Predicate<OtlpReceiver.Span>> hops = new LinkedHashMap<>();
        hops.put("webhook-service serves the delivery", s -> s.service().equals("webhook-service")
                && s.kind() == OtlpReceiver.Span.KIND_SERVER);
        for (String[] hop : new String[][] {
                {"webhook-service", Topics.DEPLOYMENT_REQUESTED, "deployment-service"},
                {"deployment-service", Topics.BUILD_REQUESTED, "build-worker"},
                {"build-worker", Topics.BUILD_COMPLETED, "deployment-service"},
                {"deployment-service", Topics.DEPLOYMENT_EVENTS, "station-dispatcher"},
                {"station-dispatcher", Topics.STATION_POINTER_MOVED, "deployment-service"}}) {
            hops.put(hop[0] + " publishes " + hop[1], s -> s.service().equals(hop[0])
                    && s.kind() == OtlpReceiver.Span.KIND_PRODUCER && onTopic(s, hop[1]));
            hops.put(hop[2] + " consumes " + hop[1], s -> s.service().equals(hop[2])
                    && s.kind() == OtlpReceiver.Span.KIND_CONSUMER && onTopic(s, hop[1]));
        }
        hops.put("build-worker builds", s -> s.service().equals("build-worker") && s.name().equals("build"));
        hops.put("artifact-store stores the artifact", s -> s.service().equals("artifact-store")
                && s.kind() == OtlpReceiver.Span.KIND_SERVER);
        hops.put("station-dispatcher fans out", s -> s.name().equals("fan-out chunk"));
        hops.put("the agent is given the assignment", s -> s.name().equals("agent assignment")
                && stationId.equals(s.attribute("benchline.station.id")));
        hops.put("the agent switches", s -> s.name().equals("agent switched")
                && stationId.equals(s.attribute("benchline.station.id")));
        List<String> missing = new ArrayList<>();
        hops.forEach((hop, found) -> {
            if (spans.stream().noneMatch(found)) {
                missing.add(hop);
            }
        });
        return missing;
    }

    private static boolean onTopic(OtlpReceiver.Span span, String topic) {
        return topic.equals(span.attribute("messaging.destination.name")) || span.name().startsWith(topic + " ");
    }

    /** Spans whose parent is not in the trace (roots aside). */
    private static List<OtlpReceiver.Span> orphans(List<OtlpReceiver.Span> spans) {
        java.util.Set<String> ids = new java.util.HashSet<>();
        spans.forEach(s -> ids.add(s.spanId()));
        return spans.stream().filter(s -> !s.parentSpanId().isEmpty() && !ids.contains(s.parentSpanId())).toList();
    }

    /**
     * The dashboard through the gateway's base URL, as a browser uses it (no redirects followed): the sign-in form with
     * its CSRF token and nonce cookie, sign-in with the stack's API key (a sealed HttpOnly session cookie), the
     * procedures page listing a procedure made through the API, its Deployments tab empty, the dashboard's own error
     * page for an unknown deployment; and the gateway still refuses /internal. With two dashboard instances the
     * requests alternate between them, so the form's token and the session hold on either.
     */
    @Test
    void theDashboardIsServedThroughTheGatewayAndShowsRealDeployments() throws Exception {
        java.net.http.HttpClient browser = java.net.http.HttpClient.newBuilder()
                .followRedirects(java.net.http.HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
        String base = stack.baseUrl();
        String name = "dashboard-check";
        String procedureId = api.post("/v2/procedures", Map.of("name", name)).expect(201).json().get("id").asText();

        var root = send(browser, base + "/", null, null);
        assertThat(root.statusCode()).as(root.body()).isEqualTo(303);
        assertThat(root.headers().firstValue("Location")).contains("/sign-in");

        var form = send(browser, base + "/sign-in", null, null);
        assertThat(form.statusCode()).as(form.body()).isEqualTo(200);
        assertThat(form.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        java.util.regex.Matcher csrf = java.util.regex.Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"")
                .matcher(form.body());
        assertThat(csrf.find()).as("the sign-in form's CSRF token in %s", form.body()).isTrue();
        String nonce = cookie(form, "bl_sign_in");
        assertThat(nonce).as("the bl_sign_in cookie").isNotBlank();

        // Without the form's token: refused, and no session.
        var forged = send(browser, base + "/sign-in", "bl_sign_in=" + nonce,
                "csrf=forged&api_key=" + java.net.URLEncoder.encode(stack.apiKey(), java.nio.charset.StandardCharsets.UTF_8));
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("bl_session="));

        var signIn = send(browser, base + "/sign-in", "bl_sign_in=" + nonce, "csrf="
                + java.net.URLEncoder.encode(csrf.group(1), java.nio.charset.StandardCharsets.UTF_8) + "&api_key="
                + java.net.URLEncoder.encode(stack.apiKey(), java.nio.charset.StandardCharsets.UTF_8));
        assertThat(signIn.statusCode()).as(signIn.body()).isEqualTo(303);
        assertThat(signIn.headers().firstValue("Location")).contains("/procedures");
        String setSession = signIn.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("bl_session="))
                .findFirst().orElseThrow(() -> new AssertionError("no bl_session cookie: " + signIn.headers()));
        assertThat(setSession).contains("HttpOnly").contains("SameSite=Strict").contains("Path=/");
        String session = "bl_session=" + cookie(signIn, "bl_session");

        var procedures = send(browser, base + "/procedures", session, null);
        assertThat(procedures.statusCode()).as(procedures.body()).isEqualTo(200);
        assertThat(procedures.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(procedures.body()).contains(name).contains("/procedures/" + procedureId);

        var deployments = send(browser, base + "/procedures/" + procedureId, session, null);
        assertThat(deployments.statusCode()).as(deployments.body()).isEqualTo(200);
        assertThat(deployments.body()).contains(name).contains("No deployments yet");

        // An unknown deployment: the API's 404 as the dashboard's own page, which the gateway passes as it is.
        var unknown = send(browser, base + "/deployments/dep_" + UUID.randomUUID().toString().replace("-", ""),
                session, null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");

        assertThat(send(browser, base + "/", session, null).headers().firstValue("Location")).contains("/procedures");
        assertThat(send(browser, base + "/static/dashboard.css", null, null).statusCode()).isEqualTo(200);

        for (String refused : List.of("/internal/v1/anything", "/q/dev", "/nothing-here")) {
            var answer = send(browser, base + refused, session, null);
            assertThat(answer.statusCode()).as(refused).isEqualTo(404);
            assertThat(answer.headers().firstValue("Content-Type").orElse("")).as(refused)
                    .startsWith("application/problem+json");
        }
    }

    /**
     * The dashboard in headless Chromium against the real stack: sign in; a pushed commit's row goes pending ->
     * building -> ready on the open Deployments tab without a reload; a rollout of it started and advanced; Create
     * Deployment opens Inspect, whose log lines stream while it builds, then its contents tree; promote that preview;
     * pin to a station; a delete refused while pinned (the station named); rollback; a viewer key sees no change
     * buttons.
     * Screenshots of the main pages go to {@code target/screenshots} (the README shows them).
     */
    @Test
    void theDashboardDrivesDeploymentsAndRolloutsInHeadlessChromium() throws Exception {
        Path repo = newRepository("dashboard-browser");
        Files.writeString(repo.resolve("procedure.yaml"),
                "name: dashboard-browser\nruntime: python 3.11\nentry_point: main.py\n");
        Files.writeString(repo.resolve("requirements.txt"), "bench-rails==1.2.0\n");
        Files.createDirectories(repo.resolve("fixtures"));
        Files.writeString(repo.resolve("fixtures/limits.csv"), "rail,min,max\n5V,4.9,5.1\n");
        // 24 MiB that do not compress: the builds take seconds (archive, digest, upload), so the open pages see them
        // pending or building and not only ready (a build of a few small files can end within one live interval).
        byte[] waveforms = new byte[24 << 20];
        new java.util.Random(11).nextBytes(waveforms);
        Files.write(repo.resolve("fixtures/waveforms.bin"), waveforms);
        String v1Commit = commitVersion(repo, "v1", 0);
        JsonNode procedure = githubProcedure(repo, "dashboard-browser");
        String procedureId = procedure.get("id").asText();
        String hook = procedure.at("/webhook/id").asText();
        String secret = procedure.at("/webhook/secret").asText();
        // Production deployments wait for a rollout (none moves a station by itself).
        api.patch("/v2/procedures/" + procedureId, Map.of("auto_push", false)).expect(200);
        List<String> stations = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            String id = api.post("/v2/stations", Map.of("name", "dash-" + i)).expect(201).json().get("id").asText();
            api.post("/v2/stations/" + id + "/links", Map.of("procedure_id", procedureId, "environment",
                    "production")).expect(201);
            stations.add(id);
        }
        String viewerKey = api.post("/v2/api-keys", Map.of("name", "dashboard-viewer", "role", "viewer")).expect(201)
                .json().get("secret").asText();
        Path shots = Path.of("target", "screenshots");

        try (DashboardBrowser b = DashboardBrowser.start(stack.baseUrl(), work.resolve("browser"), shots)) {
            try {
                browse(b, procedureId, hook, secret, repo, v1Commit, stations, viewerKey);
            } catch (Throwable failure) {
                b.dump("failure");
                throw failure;
            }
        }
    }

    private static void browse(DashboardBrowser b, String procedureId, String hook, String secret, Path repo,
            String v1Commit, List<String> stations, String viewerKey) throws Exception {
        {
            // Sign in.
            b.open("/");
            assertThat(b.path()).isEqualTo("/sign-in");
            b.screenshot("sign-in");
            // By keyboard only: Tab to the key's field, type it, Enter submits.
            b.tabTo("#api_key", 10);
            b.keys(stack.apiKey(), org.openqa.selenium.Keys.ENTER);
            b.await("the procedures list", "a[href='/procedures/" + procedureId + "']");
            assertThat(b.text(".role")).isEqualTo("admin");
            b.screenshot("procedures");

            // A push: its row appears and goes to ready on the open page; the page is never reloaded.
            b.open("/procedures/" + procedureId);
            b.script("window.benchlineLoadedOnce = true; window.seen = [];"
                    + "new MutationObserver(function () { document.querySelectorAll('#rows tr').forEach(function (tr) {"
                    + "  var badge = tr.querySelector('.badge'); if (!badge) return;"
                    + "  var last = window.seen.filter(function (s) { return s[0] === tr.id; }).pop();"
                    + "  if (!last || last[1] !== badge.textContent) window.seen.push([tr.id, badge.textContent]); });"
                    + "}).observe(document.getElementById('rows'), {childList: true, subtree: true});");
            sendPush(repo, hook, secret, GitPush.ZERO, v1Commit);
            String v1 = Await.until("v1's row is ready on the page", WAIT, () -> {
                WebElement row = first(b, "#rows tr:has(code[title='" + v1Commit + "'])");
                return row != null && row.findElement(By.cssSelector(".badge")).getText().equals("ready")
                        ? row.getAttribute("id") : null;
            });
            assertThat(b.script("return window.benchlineLoadedOnce === true")).as("the page was not reloaded")
                    .isEqualTo(true);
            @SuppressWarnings("unchecked")
            List<List<String>> seen = (List<List<String>>) b.script("return window.seen");
            List<String> states = seen.stream().filter(e -> e.get(0).equals(v1)).map(e -> e.get(1)).toList();
            System.out.println("dashboard: v1's row showed " + states + " without a reload");
            assertThat(states).as("the row's states as the live stream changed them").last().isEqualTo("ready");
            assertThat(states.size()).as("the row was seen before it was ready: %s", states).isGreaterThan(1);
            assertThat(List.of("pending", "building", "ready")).containsSubsequence(states);
            assertLocalTime(b, "tr[id='" + v1 + "'] time[datetime]");
            assertThat(b.overflowWidth()).as("sideways scrolling of the Deployments tab at 1280 px").isZero();
            b.screenshot("deployments");

            // A rollout of v1 over the three stations: one station, then all, advanced by hand.
            b.open("/procedures/" + procedureId + "/rollouts");
            b.find("#rollout-deployment option[value='" + v1 + "']").click();
            b.type("#rollout-stages", "1, 100 %");
            b.click("#start-rollout form button[type=submit]");
            b.await("the rollout's page", "#rollout-state");
            String rolloutId = b.path().substring("/rollouts/".length());
            b.awaitText("the first stage has moved its station", ".stages tbody tr:first-child td[data-label=Moved]",
                    "1");
            b.screenshot("rollout");
            b.script("window.benchlineLoadedOnce = true;");
            b.click("form[action$='/advance'] button");
            b.awaitText("the rollout completes", "#rollout-state", "completed");
            JsonNode rollout = api.get("/v2/rollouts/" + rolloutId).expect(200).json();
            assertThat(rollout.path("state").asText()).isEqualTo("completed");
            assertThat(rollout.path("deployment_id").asText()).isEqualTo(v1);
            awaitPointers(stations, procedureId, v1);

            // Create Deployment (a preview of main's head): its Inspect page streams the build's log.
            b.open("/procedures/" + procedureId);
            b.click("details.create summary");
            b.type("#branch", "main");
            b.click("form[action='/procedures/" + procedureId + "/deployments'] button[type=submit]");
            b.await("the new deployment's Inspect page", "#status");
            String preview = b.path().substring("/deployments/".length());
            String statusAtLoad = b.text("#status");
            int linesAtLoad = b.all("#log li").size();
            b.script("window.benchlineLoadedOnce = true;");
            b.awaitText("the preview's build ends ready on the open page", "#status", "ready");
            int linesAtEnd = b.all("#log li").size();
            System.out.printf("dashboard: Inspect opened %s with %d log lines, %d when ready%n", statusAtLoad,
                    linesAtLoad, linesAtEnd);
            assertThat(statusAtLoad).as("Inspect opened while the build ran").isIn("pending", "building");
            assertThat(linesAtEnd).as("log lines streamed in").isGreaterThan(linesAtLoad);
            assertThat(b.script("return window.benchlineLoadedOnce === true")).isEqualTo(true);
            assertThat(b.all("#log li time")).as("each streamed line has its time").hasSize(linesAtEnd);
            assertLocalTime(b, "#log li:last-child time"); // a streamed line's, in the viewer's zone too
            assertThat(b.text("#log li:last-child time")).as("a log line shows the time of day only")
                    .doesNotContain(String.valueOf(java.time.Year.now(java.time.ZoneOffset.UTC).getValue()));
            b.open("/deployments/" + preview);
            b.await("the contents tree", ".tree a[href$='/files/main.py']");
            assertThat(b.text(".tree")).contains("fixtures").contains("limits.csv").contains("procedure.yaml");
            b.screenshot("inspect");
            b.click(".tree a[href$='/files/fixtures/limits.csv']");
            b.awaitText("the file viewer", "main", "5V,4.9,5.1");
            b.open("/deployments/" + preview);

            // Promote the preview from its Inspect page: a production deployment of the same artifact, on every
            // station.
            b.click("details:has(form[action$='/promote']) summary");
            b.click("form[action$='/promote'] button[type=submit]");
            b.await("the promoted deployment's page", "#status");
            String promoted = b.path().substring("/deployments/".length());
            assertThat(promoted).isNotEqualTo(preview);
            b.awaitText("the promotion is ready", "#status", "ready");
            assertThat(api.get("/v2/deployments/" + promoted).expect(200).json().path("environment").asText())
                    .isEqualTo("production");
            awaitPointers(stations, procedureId, promoted);

            // Pin v1 to a station; then v1's delete is refused, naming the station.
            b.open("/procedures/" + procedureId);
            b.click("tr[id='" + v1 + "'] details:has(form[action$='/pin']) summary");
            b.type("#pin-stations-" + v1, stations.get(0));
            b.click("tr[id='" + v1 + "'] form[action$='/pin'] button[type=submit]");
            b.awaitText("the pin's notice", ".notice", "Pinned");
            Await.until("the station's pointer is pinned to v1", WAIT, () -> {
                JsonNode p = pointer(stations.get(0), procedureId);
                return p != null && p.path("pinned").asBoolean() && p.path("deployment_id").asText().equals(v1)
                        ? true : null;
            });
            b.open("/procedures/" + procedureId);
            b.submitConfirmed("tr[id='" + v1 + "'] form[action$='/delete'] button");
            b.await("the refusal", ".problem");
            assertThat(b.text("main")).contains(stations.get(0));
            b.screenshot("delete-refused");
            assertThat(api.get("/v2/deployments/" + v1).status()).as("v1 is still there").isEqualTo(200);

            // Rollback to v1: every station goes back to it, auto-push pauses, the tab says so.
            b.open("/procedures/" + procedureId);
            b.click("tr[id='" + v1 + "'] details:has(form[action$='/rollback']) summary");
            b.click("tr[id='" + v1 + "'] form[action$='/rollback'] button[type=submit]");
            b.awaitText("the rollback's notice", ".notice", "Rollback started");
            b.awaitText("the paused banner", "p.problem", "Auto-push is paused");
            assertThat(api.get("/v2/procedures/" + procedureId).expect(200).json().path("paused").isObject())
                    .isTrue();
            awaitPointers(stations, procedureId, v1);
            b.screenshot("rolled-back");

            // The pinned station's page: its pointer, pin and links; Unpin.
            // The list pages the stack's every station (other tests' too), so the station is opened by its link.
            b.open("/stations");
            b.await("the stations list", "table.stations a[href^='/stations/stn_']");
            b.open("/stations/" + stations.get(0));
            b.await("the station's pointers", "table.pointers");
            assertThat(b.text("table.pointers")).contains(v1).contains("yes");
            b.screenshot("station");
            b.submitConfirmed("form[action='/stations/" + stations.get(0) + "/unpin'] button");
            b.awaitText("the unpin's notice", ".notice", "Unpinned");
            Await.until("the station's pointer is unpinned", WAIT, () -> {
                JsonNode p = pointer(stations.get(0), procedureId);
                return p != null && !p.path("pinned").asBoolean() ? true : null;
            });

            // Settings: the paused state with Resume; a webhook secret rotation shows the new secret once.
            b.open("/procedures/" + procedureId + "/settings");
            b.await("the paused state", "form[action$='/settings/resume']");
            b.screenshot("settings");
            b.type("#resume-note", "rail fixed");
            b.click("form[action$='/settings/resume'] button[type=submit]");
            b.awaitText("the resume's notice", ".notice", "Auto-push resumed");
            assertThat(api.get("/v2/procedures/" + procedureId).expect(200).json().path("paused").isNull()).isTrue();
            b.click("form[action$='/settings/webhook-secret'] button[type=submit]");
            b.await("the new secret", "#secret");
            String rotated = b.find("#secret").getAttribute("value");
            assertThat(rotated).matches("[0-9a-f]{64}").isNotEqualTo(secret);

            // History: what was done above, newest first, with who did it.
            b.open("/procedures/" + procedureId + "/history");
            b.await("the history", "table.history-table");
            assertThat(b.text("table.history-table")).contains("rotate_webhook_secret", "resume", "rollback",
                    "promote", "rail fixed");
            b.screenshot("history");
            b.open("/api-keys");
            b.await("the API keys", "main table");
            assertThat(b.text("main table")).contains("dashboard-viewer");
            b.screenshot("api-keys");

            // A viewer sees everything and no change button.
            b.click("form[action='/sign-out'] button");
            b.await("the sign-in form", "#api_key");
            b.type("#api_key", viewerKey);
            b.click("form[action='/sign-in'] button[type=submit]");
            b.await("the procedures list", "a[href='/procedures/" + procedureId + "']");
            assertThat(b.text(".role")).isEqualTo("viewer");
            b.open("/procedures/" + procedureId);
            b.await("the rows", "tr[id='" + promoted + "']");
            assertThat(b.all("#rows tr")).hasSize(3); // v1, the preview and its promotion
            assertThat(b.all("main form[method=post]")).as("change forms a viewer sees").isEmpty();
            assertThat(b.all("details.create")).isEmpty();
            b.open("/rollouts/" + rolloutId);
            b.await("the rollout", "#rollout-state");
            assertThat(b.all("main form[method=post]")).isEmpty();
            b.open("/procedures/" + procedureId + "/rollouts");
            assertThat(b.all("#start-rollout")).isEmpty();
            for (String page : List.of("/stations/" + stations.get(0), "/procedures/" + procedureId + "/settings")) {
                b.open(page);
                b.await(page, "main h1");
                assertThat(b.all("main form[method=post]")).as("change forms a viewer sees on " + page).isEmpty();
            }
            b.size(390, 844);
            b.open("/procedures/" + procedureId);
            b.await("the rows on a phone", "tr[id='" + promoted + "']");
            assertThat(b.overflowWidth()).as("sideways scrolling of the Deployments tab on a phone").isZero();
            b.screenshot("deployments-phone");
            for (String page : List.of("/deployments/" + promoted, "/rollouts/" + rolloutId,
                    "/stations/" + stations.get(0), "/procedures/" + procedureId + "/settings")) {
                b.open(page);
                b.await(page, "main h1");
                assertThat(b.overflowWidth()).as("sideways scrolling of %s on a phone", page).isZero();
            }
        }
    }

    /**
     * A time on the page reads in the browser's zone ({@link DashboardBrowser#TIME_ZONE}, not UTC), with the UTC
     * time in its title (what a hover shows).
     */
    private static void assertLocalTime(DashboardBrowser b, String css) {
        WebElement time = b.find(css);
        java.time.Instant at = java.time.Instant.parse(time.getAttribute("datetime"));
        java.time.LocalTime utc = at.atZone(java.time.ZoneOffset.UTC).toLocalTime();
        java.time.LocalTime local = at.atZone(java.time.ZoneId.of(DashboardBrowser.TIME_ZONE)).toLocalTime();
        assertThat(time.getAttribute("title")).as("the UTC time on hover").endsWith(" UTC")
                .contains(utc.format(java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss")));
        assertThat(time.getText()).as("the time in the viewer's zone (%s)", DashboardBrowser.TIME_ZONE)
                .contains(local.format(java.time.format.DateTimeFormatter.ofPattern("h:mm:ss")));
    }

    private static void awaitPointers(List<String> stations, String procedureId, String deploymentId)
            throws Exception {
        for (String station : stations) {
            Await.until(station + "'s pointer names " + deploymentId, WAIT, () -> {
                JsonNode p = pointer(station, procedureId);
                return p != null && p.path("deployment_id").asText().equals(deploymentId) ? true : null;
            });
        }
    }

    private static WebElement first(DashboardBrowser b, String css) {
        List<WebElement> found = b.all(css);
        return found.isEmpty() ? null : found.get(0);
    }

    private static void sendPush(Path repo, String hook, String secret, String before, String after)
            throws Exception {
        byte[] payload = GitPush.payload(repo, "acme/" + repo.getFileName(), "file://" + repo.toAbsolutePath(),
                "main", before, after);
        var sent = GitPush.send(stack.baseUrl(), hook, secret, payload, UUID.randomUUID().toString());
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(202);
    }

    /** A GET (form null) or a form POST, with the given Cookie header (or none); redirects are not followed. */
    private static java.net.http.HttpResponse<String> send(java.net.http.HttpClient client, String url, String cookies,
            String form) throws Exception {
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).timeout(Duration.ofSeconds(30));
        if (cookies != null) {
            request.header("Cookie", cookies);
        }
        if (form != null) {
            request.header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(form));
        }
        return client.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    /** The value a Set-Cookie of the answer gives the cookie {@code name}, or null. */
    private static String cookie(java.net.http.HttpResponse<?> response, String name) {
        return response.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "="))
                .map(c -> c.substring(name.length() + 1, c.indexOf(';') < 0 ? c.length() : c.indexOf(';')))
                .findFirst().orElse(null);
    }

    /**
     * The stack runs every instance it was asked for ({@code benchline.e2e.instances}, two of each service in
     * {@code ./mvnw verify}), and each service with an outbox has exactly one relay: the instance that holds the
     * relay's advisory lock in that service's database (RelayLeadership).
     */
    @Test
    void everyInstanceRunsAndEachServiceRelaysItsOutboxFromOneInstance() throws Exception {
        Map<String, Integer> asked = StackOptions.parseInstances(System.getProperty("benchline.e2e.instances", ""));
        for (String service : LocalStack.SERVICES) {
            List<String> instances = stack.instances(service);
            assertThat(instances).as(service).hasSize(asked.getOrDefault(service, 1));
            for (String instance : instances) {
                Await.until(instance + " is ready", Duration.ofMinutes(3),
                        () -> stack.serviceReady(instance) ? true : null);
            }
        }
        for (String service : List.of("deployment-service", "webhook-service", "station-dispatcher")) {
            String url = stack.postgres().jdbcUrl(LocalStack.DATABASES.get(service));
            Await.until("one instance of " + service + " relays its outbox", Duration.ofMinutes(1),
                    () -> relayHolders(url) == 1 ? true : null);
        }
    }

    /** Sessions holding the outbox relay's advisory lock (a bigint key: classid high half, objid low half). */
    private static int relayHolders(String jdbcUrl) throws java.sql.SQLException {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(jdbcUrl, "postgres", "postgres");
             java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("select count(*) from pg_locks l,"
                     + " (select hashtextextended('benchline:outbox-relay', 0) k) h"
                     + " where l.locktype = 'advisory' and l.granted and l.objsubid = 1"
                     + " and l.database = (select oid from pg_database where datname = current_database())"
                     + " and l.classid::bigint = ((h.k >> 32) & 4294967295) and l.objid::bigint = (h.k & 4294967295)")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void everyV2EndpointNeedsAnApiKey() throws Exception {
        for (String path : List.of("/v2/procedures", "/v2/deployments", "/v2/stations", "/v2/keys")) {
            Api.Response anonymous = Api.anonymous(stack.baseUrl()).get(path);
            assertThat(anonymous.status()).as("GET %s without a key", path).isEqualTo(401);
            assertThat(anonymous.contentType()).startsWith("application/problem+json");
            assertThat(new Api(stack.baseUrl(), "blk_not_a_key").get(path).status()).as("GET %s with a bad key", path)
                    .isEqualTo(401);
        }
    }

    @Test
    void pushReachesTheStationAndRunsSwitchVersionsOnlyBetweenRuns() throws Exception {
        // 1. A git repository holding a procedure. Version 1 waits for a gate file, so a run can be held open.
        Path gate = work.resolve("release-run-1");
        Path repo = newRepository("voltage-check");
        Files.writeString(repo.resolve("procedure.yaml"), """
                name: voltage-check
                runtime: python 3.11
                entry_point: main.py
                """);
        Files.writeString(repo.resolve("requirements.txt"), "# no third-party packages\n");
        Files.writeString(repo.resolve("main.py"), mainPy("v1", gate));
        GitPush.git(repo, "add", ".");
        GitPush.git(repo, "commit", "-q", "-m", "Measure the 3V3 rail");
        String commit1 = GitPush.git(repo, "rev-parse", "HEAD").trim();

        // 2. Procedure, station, link, and an agent process connected to station-dispatcher.
        JsonNode procedure = api.post("/v2/procedures", Map.of(
                "name", "voltage-check",
                "repository", Map.of("provider", "github", "clone_url", "file://" + repo.toAbsolutePath(),
                        "full_name", "acme/voltage-check"),
                "production_branch", "main",
                "auto_push", true)).expect(201).json();
        String procedureId = procedure.get("id").asText();
        String hookId = procedure.at("/webhook/id").asText();
        String secret = procedure.at("/webhook/secret").asText();
        assertThat(secret).isNotBlank();

        Api.Response created = api.post("/v2/stations", Map.of("name", "bench-01")).expect(201);
        JsonNode station = created.json();
        String stationId = station.get("id").asText();
        // Links point at the public base URL, not at the service behind the gateway.
        assertThat(created.location()).isEqualTo(stack.baseUrl() + "/v2/stations/" + stationId);
        api.post("/v2/stations/" + stationId + "/links", Map.of("procedure_id", procedureId,
                "environment", "production")).expect(200, 201);

        Path trustedKeys = work.resolve("trusted-keys.json");
        Files.writeString(trustedKeys, api.get("/v2/keys").expect(200).body());
        agent = stack.startJavaProcess("e2e-agent", stack.layout().cliJar().toString(), "io.benchline.cli.Main",
                List.of("agent", "--url", stack.baseUrl(), "--token", station.get("agent_token").asText(),
                        "--trusted-keys", trustedKeys.toString(), "--work-dir", work.resolve("station").toString(),
                        "--poll-interval", "500ms"),
                work.resolve("agent.log"));

        // 3. A signed push; its redelivery creates nothing new.
        byte[] push1 = GitPush.payload(repo, "acme/voltage-check", "file://" + repo.toAbsolutePath(), "main",
                GitPush.ZERO, commit1);
        String delivery1 = UUID.randomUUID().toString();
        var accepted = GitPush.send(stack.baseUrl(), hookId, secret, push1, delivery1);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        var redelivered = GitPush.send(stack.baseUrl(), hookId, secret, push1, delivery1);
        assertThat(redelivered.statusCode()).as(redelivered.body()).isEqualTo(200);
        assertThat(redelivered.body()).contains("duplicate");
        var forged = GitPush.send(stack.baseUrl(), hookId, "not-the-secret", push1, UUID.randomUUID().toString());
        assertThat(forged.statusCode()).isEqualTo(401);

        // 4-6. The deployment appears (production, auto), builds and becomes ready with every field.
        JsonNode dep1 = Await.until("the first deployment is ready", WAIT, () -> {
            JsonNode list = api.get("/v2/deployments?procedure_id=" + procedureId).expect(200).json();
            JsonNode first = list.at("/data/0");
            return !first.isMissingNode() && "ready".equals(first.path("status").asText()) ? first : null;
        });
        String dep1Id = dep1.get("id").asText();
        assertReadyDeployment(dep1, procedureId, commit1, "Measure the 3V3 rail");
        JsonNode dep1Detail = api.get("/v2/deployments/" + dep1Id).expect(200).json();
        assertReadyDeployment(dep1Detail, procedureId, commit1, "Measure the 3V3 rail");
        JsonNode logs = api.get("/v2/deployments/" + dep1Id + "/logs").expect(200).json().get("data");
        assertThat(logs.size()).isPositive();
        assertThat(logs.get(0).get("timestamp").asText()).isNotBlank();

        // 7. The station's pointer moves and the agent activates the verified artifact.
        Await.until("the agent runs deployment 1", WAIT, () -> pointer(stationId, procedureId)
                .path("actual_deployment_id").asText().equals(dep1Id) ? true : null);
        assertThat(work.resolve("station/procedures").resolve(procedureId).resolve(dep1Id).resolve("main.py"))
                .exists();

        // 8. The idle window: a run on deployment 1 is in progress when a second push arrives.
        String runRequest1 = api.post("/v2/stations/" + stationId + "/run-requests",
                Map.of("procedure_id", procedureId)).expect(202).json().get("id").asText();
        JsonNode run1 = Await.until("run 1 started", WAIT, () -> run(stationId, runRequest1, "running"));
        assertThat(run1.get("deployment_id").asText()).isEqualTo(dep1Id);

        Files.writeString(repo.resolve("main.py"), mainPy("v2", null));
        GitPush.git(repo, "commit", "-q", "-am", "Tighten the rail limits");
        String commit2 = GitPush.git(repo, "rev-parse", "HEAD").trim();
        byte[] push2 = GitPush.payload(repo, "acme/voltage-check", "file://" + repo.toAbsolutePath(), "main",
                commit1, commit2);
        assertThat(GitPush.send(stack.baseUrl(), hookId, secret, push2, UUID.randomUUID().toString()).statusCode())
                .isEqualTo(202);
        JsonNode dep2 = Await.until("the second deployment is ready", WAIT, () -> {
            JsonNode first = api.get("/v2/deployments?procedure_id=" + procedureId).expect(200).json().at("/data/0");
            return commit2.equals(first.at("/commit/sha").asText()) && "ready".equals(first.path("status").asText())
                    ? first : null;
        });
        String dep2Id = dep2.get("id").asText();
        assertThat(dep2.get("sequence").asLong()).isGreaterThan(dep1.get("sequence").asLong());
        Await.until("the pointer moves to deployment 2", WAIT, () -> pointer(stationId, procedureId)
                .path("deployment_id").asText().equals(dep2Id) ? true : null);
        // The agent has the new version at hand but keeps running the old one until the run ends.
        Await.until("deployment 2 is unpacked", WAIT, () -> Files.exists(work.resolve("station/procedures")
                .resolve(procedureId).resolve(dep2Id).resolve("main.py")) ? true : null);
        Thread.sleep(2_000);
        assertThat(pointer(stationId, procedureId).path("actual_deployment_id").asText()).isEqualTo(dep1Id);
        assertThat(run(stationId, runRequest1, "finished")).as("run 1 is still in progress").isNull();

        Files.writeString(gate, "go");
        JsonNode run1Done = Await.until("run 1 finished", WAIT, () -> run(stationId, runRequest1, "finished"));
        assertThat(run1Done.get("deployment_id").asText()).isEqualTo(dep1Id);
        assertThat(run1Done.get("outcome").asText()).isEqualTo("passed");
        Await.until("the agent switches to deployment 2", WAIT, () -> pointer(stationId, procedureId)
                .path("actual_deployment_id").asText().equals(dep2Id) ? true : null);

        String runRequest2 = api.post("/v2/stations/" + stationId + "/run-requests",
                Map.of("procedure_id", procedureId)).expect(202).json().get("id").asText();
        JsonNode run2 = Await.until("run 2 finished", WAIT, () -> run(stationId, runRequest2, "finished"));
        assertThat(run2.get("deployment_id").asText()).isEqualTo(dep2Id);
        assertThat(run2.get("outcome").asText()).isEqualTo("passed");

        // deployment-service learns the runs and the active stations from the topics.
        Await.until("deployment-service lists the runs", WAIT, () -> {
            JsonNode runs = api.get("/v2/deployments/" + dep1Id + "/runs").expect(200).json().get("data");
            return runs.size() >= 1 ? runs : null;
        });
        Await.until("deployment 2 is active on the station", WAIT, () -> api.get("/v2/deployments/" + dep2Id)
                .expect(200).json().path("active_stations").asInt() == 1 ? true : null);

        // The redelivery created nothing: two pushes, two deployments.
        JsonNode all = api.get("/v2/deployments?procedure_id=" + procedureId).expect(200).json().get("data");
        assertThat(all).hasSize(2);

        // Every topic carries events a plain consumer can read and that parse against the schemas.
        Map<String, List<ConsumerRecord<String, String>>> byTopic = new LinkedHashMap<>();
        for (String topic : List.of(Topics.DEPLOYMENT_REQUESTED, Topics.BUILD_REQUESTED, Topics.BUILD_STARTED,
                Topics.BUILD_LOGS, Topics.BUILD_COMPLETED, Topics.DEPLOYMENT_EVENTS, Topics.STATION_POINTER_MOVED,
                Topics.STATION_RUNS)) {
            // Other classes share the stack (the fuzz sends junk to the topics): this test's records only, by its
            // deployments (the build topics' key), its procedure or its repository.
            Set<String> mine = new HashSet<>();
            all.forEach(d -> mine.add(d.path("id").asText()));
            byTopic.put(topic, TopicReader.readAll(stack.kafkaBootstrap(), topic).stream()
                    .filter(r -> mine.contains(r.key()) || r.value() != null && (r.value().contains(procedureId)
                            || r.value().contains("acme/voltage-check"))).toList());
        }
        List<String> problems = new ArrayList<>();
        byTopic.forEach((topic, records) -> {
            if (records.isEmpty()) {
                problems.add(topic + ": no events");
            }
            for (ConsumerRecord<String, String> record : records) {
                for (String problem : EventSchemas.validate(record.value())) {
                    problems.add(topic + "@" + record.partition() + ":" + record.offset() + ": " + problem);
                }
            }
        });
        assertThat(problems).isEmpty();
        // Other tests share the stack: count this test's records only (its repository, deployments, station).
        assertThat(byTopic.get(Topics.DEPLOYMENT_REQUESTED).stream()
                .filter(r -> "acme/voltage-check".equals(field(r.value(), "/data/repository/full_name"))))
                .as("the redelivery published nothing").hasSize(2);
        assertThat(byTopic.get(Topics.BUILD_COMPLETED).stream()
                .filter(r -> List.of(dep1Id, dep2Id).contains(r.key()))).hasSize(2);
        assertThat(byTopic.get(Topics.STATION_POINTER_MOVED).stream().filter(r -> stationId.equals(r.key()))
                .map(r -> field(r.value(), "/data/to_deployment_id")))
                .containsExactly(dep1Id, dep2Id);

        stack.stopProcess(agent);
    }

    /**
     * Rollouts over a fleet of 50 real agents (in this JVM, over the agent channel through the gateway) that run units
     * with outcomes scripted per deployment: a canary whose first-pass yield drops is aborted by the health gate and
     * every canary station is back on the previous deployment, switched between runs; a healthy canary advances stage
     * by stage to 100% and the previous deployment becomes the rollback target; too few runs turns "needs attention".
     * Then bounded idle deferral: a station kept busy keeps its version past the staging, drains once the staged
     * deployment is older than the procedure's max deferral, and switches between two runs; an idle station switches
     * at once. Every run reports the deployment it started on.
     */
    @Test
    void rolloutsOverFiftyAgentsAreGatedOnTheirRunsAndABusyStationDrains() throws Exception {
        Path repo = newRepository("fleet-check");
        Files.writeString(repo.resolve("procedure.yaml"), "name: fleet-check\nruntime: python 3.11\nentry_point: main.py\n");
        String v1Commit = commitVersion(repo, "v1", 0);
        JsonNode procedure = githubProcedure(repo, "fleet-check");
        String procedureId = procedure.get("id").asText();
        String hook = procedure.at("/webhook/id").asText();
        String secret = procedure.at("/webhook/secret").asText();
        Map<String, Object> gate = Map.of("min_runs", 15, "min_wait", "2s", "timeout", "10m", "confidence", 0.95);
        try (FleetRollout fleet = FleetRollout.start(api, stack.baseUrl(), work, procedureId, 50)) {
            List<String> all = fleet.stationIds();
            String idle = all.get(0); // never gets a unit
            String busy = all.get(1); // gets the long units of the deferral check only
            List<String> factoryStations = all.subList(2, all.size());
            String v1 = pushAndAwaitReady(repo, "acme/fleet-check", hook, secret, GitPush.ZERO, v1Commit,
                    procedureId);
            fleet.awaitActual("the fleet runs v1", all, v1);
            // From here on a pushed production deployment moves no station by itself: rollouts do.
            api.patch("/v2/procedures/" + procedureId, Map.of("auto_push", false)).expect(200);
            fleet.drive(factoryStations);
            fleet.startFactory(Duration.ofSeconds(3));

            // 1. v2 fails 60% of units: the gate aborts at the canary stage; every canary goes back to v1.
            String v2Commit = commitVersion(repo, "v2", 60);
            String v2 = pushAndAwaitReady(repo, "acme/fleet-check", hook, secret, v1Commit, v2Commit, procedureId);
            String r2 = startRollout(Map.of("deployment_id", v2, "stages",
                    List.of(Map.of("stations", 10), Map.of("percent", 100)), "gate", gate)).expect(201).json()
                    .get("id").asText();
            List<String> canaries = Await.until("10 canaries on v2", WAIT, () -> {
                List<String> on = fleet.desiredOn(v2);
                return on.size() == 10 ? on : null;
            });
            JsonNode aborted = fleet.awaitRolloutState(r2, "aborted");
            JsonNode decision = aborted.get("history").get(0);
            assertThat(decision.path("action").asText()).isEqualTo("aborted");
            assertThat(decision.at("/by/key_id").isNull() || decision.at("/by/key_id").isMissingNode())
                    .as("the gate decided, no key by hand: " + decision).isTrue();
            assertThat(decision.at("/figures/canary/first_pass_yield").asDouble())
                    .isLessThan(decision.at("/figures/base/first_pass_yield").asDouble());
            assertThat(decision.at("/figures/canary/runs").asLong()).isGreaterThanOrEqualTo(15);
            fleet.awaitActual("every canary is back on v1", canaries, v1);
            for (String canary : canaries) {
                assertThat(fleet.pointer(canary).path("deployment_id").asText()).isEqualTo(v1);
                Instant backOnV1 = fleet.timeline(canary).stream()
                        .filter(e -> "active".equals(e.path("kind").asText()) && v1.equals(e.path("deployment_id")
                                .asText())).map(FleetRollout::at).max(Instant::compareTo).orElseThrow();
                for (JsonNode run : fleet.finishedRuns(canary)) {
                    assertThat(run.path("outcome").asText()).as("no run is cut by a switch").isIn("passed", "failed");
                    if (v2.equals(run.path("deployment_id").asText())) {
                        assertThat(Instant.parse(run.path("finished_at").asText()))
                                .as("a run on v2 ended before the station switched back").isBeforeOrEqualTo(backOnV1);
                    }
                }
            }

            // 2. v3 is healthy: the gate advances it stage by stage to 100%; v1 becomes the rollback target.
            String v3Commit = commitVersion(repo, "v3", 0);
            String v3 = pushAndAwaitReady(repo, "acme/fleet-check", hook, secret, v2Commit, v3Commit, procedureId);
            String r3 = startRollout(Map.of("deployment_id", v3, "stages", List.of(Map.of("stations", 10),
                    Map.of("percent", 50), Map.of("percent", 100)), "gate", gate)).expect(201).json().get("id").asText();
            JsonNode completed = fleet.awaitRolloutState(r3, "completed");
            assertThat(completed.path("rollback_target").asText()).isEqualTo(v1);
            List<String> actions = new ArrayList<>();
            completed.get("history").forEach(h -> actions.add(h.path("action").asText()));
            // Two gate decisions (canaries to 50%, 50% to every station), then the last stage completes it.
            assertThat(actions).containsExactly("completed", "advanced", "advanced", "created");
            for (int i = 1; i <= 2; i++) {
                assertThat(completed.at("/history/" + i + "/figures/decision").asText()).isEqualTo("advance");
                assertThat(completed.at("/history/" + i + "/figures/canary/runs").asLong()).isGreaterThanOrEqualTo(15);
            }
            fleet.awaitActual("the fleet runs v3", all, v3);

            // 3. No units: too few runs by the gate's timeout needs attention, then an abort by hand.
            fleet.stopDriving();
            String v4Commit = commitVersion(repo, "v4", 0);
            String v4 = pushAndAwaitReady(repo, "acme/fleet-check", hook, secret, v3Commit, v4Commit, procedureId);
            String r4 = startRollout(Map.of("deployment_id", v4, "stages", List.of(Map.of("stations", 5),
                    Map.of("percent", 100)), "gate", Map.of("min_runs", 15, "min_wait", "1s", "timeout", "4s")))
                    .expect(201).json().get("id").asText();
            JsonNode attention = fleet.awaitRolloutState(r4, "needs_attention");
            assertThat(attention.path("attention_reason").asText()).contains("too few runs");
            api.post("/v2/rollouts/" + r4 + "/abort", Map.of("note", "no units today")).expect(200);
            fleet.awaitActual("the fleet is back on v3", all, v3);

            // 4. Bounded idle deferral: the busy station keeps v3 while it works, drains after 20 s, then switches.
            api.put("/v2/procedures/" + procedureId + "/station-settings", Map.of("idle_window_seconds", 3600,
                    "max_deferral_seconds", 20)).expect(200);
            fleet.batchOfSlowUnits(busy, 25);
            Await.until("the busy station runs a long unit", WAIT, () -> api.get("/v2/stations/" + busy + "/runs")
                    .expect(200).json().at("/data/0/status").asText().equals("running") ? true : null);
            String v5 = pushAndAwaitReady(repo, "acme/fleet-check", hook, secret, v4Commit,
                    commitVersion(repo, "v5", 0), procedureId);
            startRollout(Map.of("deployment_id", v5, "stages", List.of(Map.of("stations", 2),
                    Map.of("percent", 100)), "canary_station_ids", List.of(busy, idle))).expect(201);
            fleet.awaitActual("the idle station switches", List.of(idle), v5);
            fleet.awaitActual("the busy station switches after draining", List.of(busy), v5);

            List<JsonNode> busyTimeline = fleet.timeline(busy);
            JsonNode draining = busyTimeline.stream().filter(e -> "draining".equals(e.path("kind").asText()))
                    .findFirst().orElseThrow(() -> new AssertionError("no drain on " + busyTimeline));
            assertThat(draining.path("deployment_id").asText()).isEqualTo(v5);
            assertThat(draining.path("reason").asText()).contains("max deferral of 20 s");
            Instant staged = busyTimeline.stream().filter(e -> "staged".equals(e.path("kind").asText())
                    && v5.equals(e.path("deployment_id").asText())).map(FleetRollout::at).min(Instant::compareTo)
                    .orElseThrow();
            Instant switched = busyTimeline.stream().filter(e -> "active".equals(e.path("kind").asText())
                    && v5.equals(e.path("deployment_id").asText())).map(FleetRollout::at).max(Instant::compareTo)
                    .orElseThrow();
            List<JsonNode> busyRuns = fleet.finishedRuns(busy);
            assertThat(busyRuns).as("every run of the busy station ended as its code said").allSatisfy(r ->
                    assertThat(r.path("outcome").asText()).isEqualTo("passed"));
            assertThat(busyRuns.stream().filter(r -> v3.equals(r.path("deployment_id").asText())
                    && Instant.parse(r.path("started_at").asText()).isAfter(staged)))
                    .as("units started on v3 while v5 was staged: the busy station kept its version").isNotEmpty();
            assertThat(busyRuns.stream().filter(r -> v3.equals(r.path("deployment_id").asText())))
                    .as("no unit on v3 ended after the switch").allSatisfy(r ->
                            assertThat(Instant.parse(r.path("finished_at").asText())).isBeforeOrEqualTo(switched));
            Await.until("a unit runs on v5 after the switch", WAIT, () -> fleet.finishedRuns(busy).stream()
                    .anyMatch(r -> v5.equals(r.path("deployment_id").asText())) ? true : null);

            List<JsonNode> idleTimeline = fleet.timeline(idle);
            assertThat(idleTimeline).noneMatch(e -> "draining".equals(e.path("kind").asText()));
            Instant idleSwitched = idleTimeline.stream().filter(e -> "active".equals(e.path("kind").asText())
                    && v5.equals(e.path("deployment_id").asText())).map(FleetRollout::at).findFirst().orElseThrow();
            assertThat(idleSwitched).as("the idle station switched while the busy one still deferred")
                    .isBefore(FleetRollout.at(draining));
        }
    }

    /**
     * A rollout's wait lives in its row: PostgreSQL and Kafka killed with SIGKILL while a stage waits, and the wait
     * running out while they are down, the rollout advances once when they are back and completes; every station
     * moved to the new deployment exactly once.
     */
    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE) // last: it restarts PostgreSQL and Kafka under the shared stack
    void aRolloutsWaitSurvivesKilledPostgresAndKafka() throws Exception {
        Path repo = newRepository("wait-check");
        Files.writeString(repo.resolve("procedure.yaml"), "name: wait-check\nruntime: python 3.11\nentry_point: main.py\n");
        Files.writeString(repo.resolve("main.py"), mainPy("v1", null));
        GitPush.git(repo, "add", ".");
        GitPush.git(repo, "commit", "-q", "-m", "wait-check v1");
        String c1 = GitPush.git(repo, "rev-parse", "HEAD").trim();
        JsonNode procedure = githubProcedure(repo, "wait-check");
        String procedureId = procedure.get("id").asText();
        String hook = procedure.at("/webhook/id").asText();
        String secret = procedure.at("/webhook/secret").asText();
        List<String> stations = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String id = api.post("/v2/stations", Map.of("name", "wait-" + i)).expect(201).json().get("id").asText();
            api.post("/v2/stations/" + id + "/links", Map.of("procedure_id", procedureId, "environment",
                    "production")).expect(200, 201);
            stations.add(id);
        }
        String d1 = pushAndAwaitReady(repo, "acme/wait-check", hook, secret, GitPush.ZERO, c1, procedureId);
        for (String station : stations) {
            Await.until("station on the first deployment", WAIT, () -> d1.equals(pointer(station, procedureId)
                    .path("deployment_id").asText()) ? true : null);
        }
        api.patch("/v2/procedures/" + procedureId, Map.of("auto_push", false)).expect(200);
        Files.writeString(repo.resolve("main.py"), mainPy("v2", null));
        GitPush.git(repo, "commit", "-q", "-am", "wait-check v2");
        String c2 = GitPush.git(repo, "rev-parse", "HEAD").trim();
        String d2 = pushAndAwaitReady(repo, "acme/wait-check", hook, secret, c1, c2, procedureId);

        JsonNode rollout = startRollout(Map.of("deployment_id", d2, "stages",
                List.of(Map.of("stations", 1), Map.of("percent", 100)), "wait", "15s")).expect(201).json();
        String rolloutId = rollout.get("id").asText();
        Instant advanceAt = Instant.parse(rollout.get("advance_at").asText());
        Await.until("the first stage moved one station", WAIT, () -> api.get("/v2/rollouts/" + rolloutId).expect(200)
                .json().at("/stages/0/moved").asInt() == 1 ? true : null);

        stack.killPostgres();
        stack.killKafka();
        try {
            Await.until("the stage's wait ran out while PostgreSQL and Kafka were down", WAIT,
                    () -> Instant.now().isAfter(advanceAt.plusSeconds(3)) ? true : null);
        } finally {
            stack.restartPostgres();
            stack.restartKafka();
        }

        JsonNode completed = Await.until("the rollout completed after the restarts", WAIT, () -> {
            JsonNode r = api.get("/v2/rollouts/" + rolloutId).expect(200).json();
            return "completed".equals(r.path("state").asText()) ? r : null;
        });
        List<String> actions = new ArrayList<>();
        completed.get("history").forEach(h -> actions.add(h.path("action").asText()));
        assertThat(actions.stream().filter("advanced"::equals)).as("advanced once: " + actions).hasSize(1);
        for (String station : stations) {
            Await.until("station on the new deployment", WAIT, () -> d2.equals(pointer(station, procedureId)
                    .path("deployment_id").asText()) ? true : null);
        }
        // The outboxes relay what they hold once Kafka is back: wait until every move is on the topic, then count.
        List<ConsumerRecord<String, String>> moves = Await.until("every move to the new deployment relayed", WAIT,
                () -> {
                    List<ConsumerRecord<String, String>> all = TopicReader.readAll(stack.kafkaBootstrap(),
                            Topics.STATION_POINTER_MOVED);
                    return stations.stream().allMatch(station -> all.stream().anyMatch(r -> station.equals(r.key())
                            && d2.equals(field(r.value(), "/data/to_deployment_id")))) ? all : null;
                });
        for (String station : stations) {
            // One move event: the relay may send a record again when Kafka went away before acknowledging it (the
            // same event id, which consumers dedupe), never a second event.
            assertThat(moves.stream().filter(r -> station.equals(r.key())
                    && d2.equals(field(r.value(), "/data/to_deployment_id"))).map(r -> field(r.value(), "/id"))
                    .distinct()).as("station " + station + " moved to the new deployment exactly once").hasSize(1);
        }
        // The stack is shared: leave it only once every service answers again, several times in a row (a pooled
        // connection from before the restart can fail one request: seen once as a 503 of artifact-store).
        int[] inARow = {0};
        Await.until("every service answers after the restarts", WAIT, () -> {
            boolean all = api.get("/v2/keys").status() == 200
                    && api.get("/v2/deployments?procedure_id=" + procedureId).status() == 200
                    && api.get("/v2/stations/" + stations.get(0)).status() == 200
                    && api.get("/v2/rollouts/" + rolloutId).status() == 200;
            inARow[0] = all ? inARow[0] + 1 : 0;
            return inARow[0] >= 25 ? true : null;
        });
    }

    /** A procedure of the repository (GitHub, {@code acme/<name>}, production branch main, auto-push on). */
    private static JsonNode githubProcedure(Path repo, String name) throws Exception {
        return api.post("/v2/procedures", Map.of("name", name,
                "repository", Map.of("provider", "github", "clone_url", "file://" + repo.toAbsolutePath(),
                        "full_name", "acme/" + name),
                "production_branch", "main", "auto_push", true)).expect(201).json();
    }

    /** Pushes {@code after} to main and waits until its production deployment is ready; its id. */
    /**
     * POST /v2/rollouts, asked again while station-dispatcher has not yet heard that the deployment is ready: the API
     * shows it ready once deployment-service recorded it, station-dispatcher once the ready event reached it.
     */
    private static Api.Response startRollout(Map<String, Object> body) throws Exception {
        return Await.until("station-dispatcher takes the rollout of " + body.get("deployment_id"), WAIT, () -> {
            Api.Response answer = api.post("/v2/rollouts", body);
            boolean notYetReady = answer.status() == 409 && answer.body().contains("/not-rollable")
                    && (answer.body().contains("(building)") || answer.body().contains("(pending)"));
            return notYetReady ? null : answer;
        });
    }

    private static String pushAndAwaitReady(Path repo, String fullName, String hook, String secret, String before,
            String after, String procedureId) throws Exception {
        byte[] payload = GitPush.payload(repo, fullName, "file://" + repo.toAbsolutePath(), "main", before, after);
        var sent = GitPush.send(stack.baseUrl(), hook, secret, payload, UUID.randomUUID().toString());
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(202);
        return Await.until("the deployment of " + after + " is ready", WAIT, () -> {
            for (JsonNode d : api.get("/v2/deployments?procedure_id=" + procedureId).expect(200).json().get("data")) {
                if (after.equals(d.at("/commit/sha").asText())) {
                    assertThat(d.path("status").asText()).isNotEqualTo("failed");
                    return "ready".equals(d.path("status").asText()) ? d.get("id").asText() : null;
                }
            }
            return null;
        });
    }

    /** Commits a version of the fleet procedure that fails {@code failPercent} of units; its SHA. */
    private static String commitVersion(Path repo, String version, int failPercent) throws Exception {
        Files.writeString(repo.resolve("main.py"), FleetRollout.mainPy(version, failPercent));
        GitPush.git(repo, "add", ".");
        GitPush.git(repo, "commit", "-q", "-m", "fleet-check " + version);
        return GitPush.git(repo, "rev-parse", "HEAD").trim();
    }

    /** A revoked API key is refused by every service: at once by deployment-service, after the cache TTL elsewhere. */
    @Test
    void aRevokedKeyIsRefusedEverywhere() throws Exception {
        JsonNode key = api.post("/v2/api-keys", Map.of("name", "line-3-tablet", "role", "viewer")).expect(201).json();
        Api tablet = new Api(stack.baseUrl(), key.get("secret").asText());
        List<String> paths = List.of("/v2/deployments", "/v2/stations", "/v2/keys");
        for (String path : paths) {
            assertThat(tablet.get(path).status()).as("GET %s with the new key", path).isEqualTo(200);
        }
        assertThat(tablet.post("/v2/stations", Map.of("name", "not-allowed")).status()).isEqualTo(403);
        api.delete("/v2/api-keys/" + key.get("id").asText()).expect(204);
        long revoked = System.nanoTime();
        assertThat(tablet.get("/v2/deployments").status()).isEqualTo(401);
        for (String path : paths) {
            Await.until("GET " + path + " refuses the revoked key", WAIT,
                    () -> tablet.get(path).status() == 401 ? true : null);
        }
        System.out.printf("revoked key refused by every service %d ms after the revocation%n",
                (System.nanoTime() - revoked) / 1_000_000);
    }

    /**
     * Repository credentials on the real stack: a procedure with a token (against a file:// repository git cannot
     * check it, but build-worker must fetch it by reference and the build must complete); afterwards no log file of
     * the stack and no record on any topic holds the token, and the API never shows it.
     */
    @Test
    void aRepositoryTokenIsFetchedByTheWorkerAndAppearsInNoLogAndOnNoTopic() throws Exception {
        Path repo = newRepository("private-check");
        Files.writeString(repo.resolve("procedure.yaml"), "name: private-check\nruntime: python 3.11\nentry_point: run.py\n");
        Files.writeString(repo.resolve("run.py"), "print('ok')\n");
        GitPush.git(repo, "add", ".");
        GitPush.git(repo, "commit", "-q", "-m", "Private check");
        String token = "ghp_e2e" + UUID.randomUUID().toString().replace("-", "");
        Api.Response created = api.post("/v2/procedures", Map.of("name", "private-check", "repository",
                Map.of("provider", "github", "clone_url", "file://" + repo.toAbsolutePath(), "full_name",
                        "acme/private-check", "credentials", Map.of("type", "token", "token", token)))).expect(201);
        assertThat(created.body()).doesNotContain(token);
        String procedureId = created.json().get("id").asText();
        assertThat(created.json().at("/repository/has_credentials").asBoolean()).isTrue();

        String deploymentId = api.post("/v2/deployments", Map.of("procedure_id", procedureId, "branch", "main"))
                .expect(202).json().get("id").asText();
        JsonNode ready = Await.until("the build with credentials is final", WAIT, () -> {
            JsonNode d = api.get("/v2/deployments/" + deploymentId).expect(200).json();
            return "ready".equals(d.path("status").asText()) || "failed".equals(d.path("status").asText()) ? d : null;
        });
        assertThat(ready.get("status").asText()).as(ready.toString()).isEqualTo("ready");
        JsonNode logs = api.get("/v2/deployments/" + deploymentId + "/logs").expect(200).json().get("data");
        List<String> lines = new ArrayList<>();
        logs.forEach(l -> lines.add(l.get("text").asText()));
        assertThat(lines).contains("using the procedure's repository credentials (token)");
        assertThat(api.get("/v2/procedures/" + procedureId).expect(200).body()).doesNotContain(token);

        // The scans can find what they look for: the audit line names the build it handed the token to.
        Path logDir = stack.options().dir().resolve("logs");
        assertThat(SecretScan.files(logDir, List.of("handed to the build of " + deploymentId))).isNotEmpty();
        assertThat(SecretScan.files(logDir, List.of(token))).as("log files holding the token").isEmpty();
        assertThat(SecretScan.kafka(stack.kafkaBootstrap(), List.of(deploymentId))).isNotEmpty();
        assertThat(SecretScan.kafka(stack.kafkaBootstrap(), List.of(token))).as("records holding the token").isEmpty();
    }

    /**
     * A service killed from outside with SIGKILL (not through the stack) is restarted by the stack's supervisor, and
     * the API behind the gateway answers again without anyone restarting anything by hand.
     */
    @Test
    void aServiceKilledFromOutsideIsRestartedAndTheApiAnswersAgain() throws Exception {
        ProcessSupervisor.Child dispatcher = stack.service("station-dispatcher").orElseThrow();
        api.get("/v2/stations").expect(200);
        int restartsBefore = dispatcher.restarts();
        long killedPid = dispatcher.process().pid();

        dispatcher.process().toHandle().destroyForcibly();

        Await.until("station-dispatcher runs again", WAIT,
                () -> dispatcher.restarts() > restartsBefore ? true : null);
        Await.until("GET /v2/stations answers again", WAIT,
                () -> api.get("/v2/stations").status() == 200 ? true : null);
        assertThat(dispatcher.process().pid()).isNotEqualTo(killedPid);
        assertThat(dispatcher.lastExitCode()).isEqualTo(137);
        assertThat(dispatcher.state()).isEqualTo(ProcessSupervisor.State.RUNNING);
        assertThat(Files.readString(dispatcher.log())).contains("---- benchline: restart 1 of station-dispatcher"
                + " after exit code 137 ----");
    }

    /** Invariant 8: a push answered 202 is built even when every service after the webhook is killed. */
    @Test
    void anAcceptedPushSurvivesKilledServices() throws Exception {
        Path repo = newRepository("killed-services");
        Files.writeString(repo.resolve("procedure.yaml"), "name: current-check\nruntime: python 3.12\nentry_point: run.py\n");
        Files.writeString(repo.resolve("run.py"), "print('ok')\n");
        GitPush.git(repo, "add", ".");
        GitPush.git(repo, "commit", "-q", "-m", "Current check");
        String commit = GitPush.git(repo, "rev-parse", "HEAD").trim();
        JsonNode procedure = api.post("/v2/procedures", Map.of(
                "name", "current-check",
                "repository", Map.of("provider", "github", "clone_url", "file://" + repo.toAbsolutePath(),
                        "full_name", "acme/current-check"))).expect(201).json();
        String procedureId = procedure.get("id").asText();

        // Webhook secrets are cached by webhook-service; everything downstream is down when the push arrives.
        stack.killService("deployment-service");
        stack.killService("build-worker");
        try {
            byte[] push = GitPush.payload(repo, "acme/current-check", "file://" + repo.toAbsolutePath(), "main",
                    GitPush.ZERO, commit);
            var answer = GitPush.send(stack.baseUrl(), procedure.at("/webhook/id").asText(),
                    procedure.at("/webhook/secret").asText(), push, UUID.randomUUID().toString());
            if (answer.statusCode() == 503) {
                // The hook's secret was not cached yet and its owner is down: refused, so nothing was promised.
                stack.restartService("deployment-service");
                answer = GitPush.send(stack.baseUrl(), procedure.at("/webhook/id").asText(),
                        procedure.at("/webhook/secret").asText(), push, UUID.randomUUID().toString());
                stack.killService("deployment-service");
            }
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
            // And the service that accepted it dies at once, before or after its relay ran.
            stack.killService("webhook-service");
        } finally {
            stack.restartService("webhook-service");
            stack.restartService("deployment-service");
            stack.restartService("build-worker");
        }

        JsonNode ready = Await.until("the push is built after the restarts", WAIT, () -> {
            JsonNode first = api.get("/v2/deployments?procedure_id=" + procedureId).expect(200).json().at("/data/0");
            return "ready".equals(first.path("status").asText()) ? first : null;
        });
        assertThat(ready.at("/commit/sha").asText()).isEqualTo(commit);
        assertThat(ready.get("runtime_version").asText()).isEqualTo("3.12");
        assertThat(api.get("/v2/deployments?procedure_id=" + procedureId).expect(200).json().get("data")).hasSize(1);
    }

    /**
     * Managing deployments on a real station: a preview build is promoted (through the CLI) and fans out; a
     * rollback (CLI) sends the station back between runs, each run reporting the deployment it started on; pushes
     * while paused build but do not fan out; after resume the next push does.
     */
    @Test
    void previewPromotedThenRolledBackOnARealStationAndPushesWaitWhilePaused() throws Exception {
        Path hold = work.resolve("hold-manage");
        Path repo = newRepository("ripple-check");
        Files.writeString(repo.resolve("procedure.yaml"), "name: ripple-check\nruntime: python 3.11\nentry_point: main.py\n");
        Files.writeString(repo.resolve("main.py"), heldPy("a", hold));
        GitPush.git(repo, "add", ".");
        GitPush.git(repo, "commit", "-q", "-m", "Ripple check");
        String commitA = GitPush.git(repo, "rev-parse", "HEAD").trim();
        String cloneUrl = "file://" + repo.toAbsolutePath();
        JsonNode procedure = api.post("/v2/procedures", Map.of("name", "ripple-check", "repository",
                Map.of("provider", "github", "clone_url", cloneUrl, "full_name", "acme/ripple-check"))).expect(201).json();
        String procedureId = procedure.get("id").asText();
        String hookId = procedure.at("/webhook/id").asText();
        String secret = procedure.at("/webhook/secret").asText();
        JsonNode station = api.post("/v2/stations", Map.of("name", "bench-manage")).expect(201).json();
        String stationId = station.get("id").asText();
        api.post("/v2/stations/" + stationId + "/links", Map.of("procedure_id", procedureId,
                "environment", "production")).expect(201);
        ProcessSupervisor.Child managedAgent = startAgent("manage", station);
        try {
            // Production A reaches the station.
            push(repo, hookId, secret, "main", GitPush.ZERO, commitA);
            String depA = awaitReady(procedureId, commitA);
            awaitActual(stationId, procedureId, depA);

            // A preview build of a branch does not reach the production station; promoted, it does.
            GitPush.git(repo, "checkout", "-q", "-b", "feature");
            Files.writeString(repo.resolve("main.py"), heldPy("b", hold));
            GitPush.git(repo, "commit", "-q", "-am", "Wider ripple band");
            String commitB = GitPush.git(repo, "rev-parse", "HEAD").trim();
            push(repo, hookId, secret, "feature", GitPush.ZERO, commitB);
            String preview = awaitReady(procedureId, commitB);
            assertThat(api.get("/v2/deployments/" + preview).expect(200).json().get("environment").asText())
                    .isEqualTo("preview");
            JsonNode promoted = Api.JSON_READER.readTree(cli("promote", preview, "--note", "validated on bench 2", "--json"));
            String depP = promoted.get("id").asText();
            assertThat(promoted.get("promoted_from").asText()).isEqualTo(preview);
            assertThat(promoted.at("/artifact/digest").asText()).isEqualTo(
                    api.get("/v2/deployments/" + preview).expect(200).json().at("/artifact/digest").asText());
            awaitActual(stationId, procedureId, depP);

            // A run on P is in flight when the rollback to A arrives: it finishes on P, then the station swaps.
            Files.writeString(hold, "hold");
            String run1 = api.post("/v2/stations/" + stationId + "/run-requests", Map.of("procedure_id", procedureId))
                    .expect(202).json().get("id").asText();
            Await.until("run 1 started", WAIT, () -> run(stationId, run1, "running"));
            JsonNode paused = Api.JSON_READER.readTree(cli("rollback", procedureId, "--to", depA, "--note",
                    "ripple false fails on line 3", "--json"));
            assertThat(paused.at("/paused/rollback_deployment_id").asText()).isEqualTo(depA);
            Await.until("the pointer moves back to A", WAIT, () -> depA.equals(pointer(stationId, procedureId)
                    .path("deployment_id").asText()) ? true : null);
            assertThat(pointer(stationId, procedureId).path("actual_deployment_id").asText()).isEqualTo(depP);
            Files.delete(hold);
            JsonNode run1Done = Await.until("run 1 finished", WAIT, () -> run(stationId, run1, "finished"));
            assertThat(run1Done.get("deployment_id").asText()).isEqualTo(depP);
            awaitActual(stationId, procedureId, depA);
            String run2 = api.post("/v2/stations/" + stationId + "/run-requests", Map.of("procedure_id", procedureId))
                    .expect(202).json().get("id").asText();
            assertThat(Await.until("run 2 finished", WAIT, () -> run(stationId, run2, "finished"))
                    .get("deployment_id").asText()).isEqualTo(depA);

            // Paused: a push to main builds but does not fan out; after resume the next one does.
            GitPush.git(repo, "checkout", "-q", "main");
            Files.writeString(repo.resolve("main.py"), heldPy("c", hold));
            GitPush.git(repo, "commit", "-q", "-am", "Ripple check c");
            String commitC = GitPush.git(repo, "rev-parse", "HEAD").trim();
            push(repo, hookId, secret, "main", commitA, commitC);
            String depC = awaitReady(procedureId, commitC);
            cli("resume", procedureId);
            Files.writeString(repo.resolve("main.py"), heldPy("d", hold));
            GitPush.git(repo, "commit", "-q", "-am", "Ripple check d");
            String commitD = GitPush.git(repo, "rev-parse", "HEAD").trim();
            push(repo, hookId, secret, "main", commitC, commitD);
            String depD = awaitReady(procedureId, commitD);
            awaitActual(stationId, procedureId, depD);
            // Jobs run oldest first, so D's move shows C's fan-out had ended: it never moved the station.
            JsonNode history = api.get("/v2/stations/" + stationId + "/history?limit=100").expect(200).json().get("data");
            List<String> moves = new ArrayList<>();
            history.forEach(h -> moves.add(h.path("reason").asText() + ":" + h.path("to_deployment_id").asText()));
            assertThat(moves).containsExactly("auto:" + depD, "rollback:" + depA, "promote:" + depP, "auto:" + depA);
            assertThat(history.get(1).at("/actor/name").asText()).isEqualTo("bootstrap");
            assertThat(history.get(1).path("note").asText()).isEqualTo("ripple false fails on line 3");
            assertThat(moves).noneMatch(m -> m.endsWith(depC));

            JsonNode procedureHistory = api.get("/v2/procedures/" + procedureId + "/history").expect(200).json()
                    .get("data");
            List<String> actions = new ArrayList<>();
            procedureHistory.forEach(h -> actions.add(h.path("action").asText()));
            assertThat(actions).containsExactly("resume", "rollback", "promote");
        } finally {
            stack.stopProcess(managedAgent);
        }
    }

    private static void push(Path repo, String hookId, String secret, String branch, String before, String after)
            throws Exception {
        byte[] payload = GitPush.payload(repo, "acme/ripple-check", "file://" + repo.toAbsolutePath(), branch, before,
                after);
        var answer = GitPush.send(stack.baseUrl(), hookId, secret, payload, UUID.randomUUID().toString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
    }

    private static String awaitReady(String procedureId, String commit) throws Exception {
        return Await.until("the deployment of " + commit + " is ready", WAIT, () -> {
            for (JsonNode d : api.get("/v2/deployments?procedure_id=" + procedureId).expect(200).json().get("data")) {
                if (commit.equals(d.at("/commit/sha").asText()) && "ready".equals(d.path("status").asText())
                        && d.path("promoted_from").isNull()) {
                    return d.get("id").asText();
                }
            }
            return null;
        });
    }

    private static void awaitActual(String stationId, String procedureId, String deploymentId) throws Exception {
        Await.until("the agent runs " + deploymentId, WAIT, () -> deploymentId.equals(pointer(stationId, procedureId)
                .path("actual_deployment_id").asText()) ? true : null);
    }

    /** The benchline CLI against the stack, as a user runs it; returns its standard output, failing on exit != 0. */
    private static String cli(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", stack.layout().cliJar().toString(), "io.benchline.cli.Main"));
        command.addAll(List.of(args));
        command.addAll(List.of("--url", stack.baseUrl(), "--api-key", stack.apiKey()));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as("benchline %s: %s", String.join(" ", args), out).isZero();
        return out;
    }

    /** A procedure version that runs while the hold file exists, so a run can be kept in flight. */
    private static String heldPy(String version, Path hold) {
        return """
                import os
                import time

                print("ripple-check %s on deployment", os.environ.get("BENCHLINE_DEPLOYMENT_ID"))
                deadline = time.time() + 300
                while os.path.exists(%s) and time.time() < deadline:
                    time.sleep(0.2)
                """.formatted(version, pythonString(hold.toAbsolutePath().toString()));
    }

    private static void assertReadyDeployment(JsonNode d, String procedureId, String sha, String message) {
        for (String name : List.of("id", "procedure", "commit", "environment", "trigger", "status", "platform",
                "language", "runtime_version", "started_at", "ended_at", "artifact_size_bytes", "created_at",
                "sequence", "source", "artifact", "promoted_from", "retry_of", "build_duration_ms",
                "active_stations")) {
            assertThat(d.has(name)).as("field %s in %s", name, d).isTrue();
        }
        assertThat(d.at("/procedure/id").asText()).isEqualTo(procedureId);
        assertThat(d.at("/procedure/name").asText()).isEqualTo("voltage-check");
        assertThat(d.at("/commit/sha").asText()).isEqualTo(sha);
        assertThat(d.at("/commit/message").asText()).isEqualTo(message);
        assertThat(d.at("/commit/author").asText()).isEqualTo("Ada Tester");
        assertThat(d.at("/commit/branch").asText()).isEqualTo("main");
        assertThat(d.get("environment").asText()).isEqualTo("production");
        assertThat(d.get("trigger").asText()).isEqualTo("auto");
        assertThat(d.get("status").asText()).isEqualTo("ready");
        assertThat(d.get("platform").asText()).isEqualTo("any");
        assertThat(d.get("language").asText()).isEqualTo("python");
        assertThat(d.get("runtime_version").asText()).isEqualTo("3.11");
        assertThat(d.get("source").asText()).isEqualTo("git");
        assertThat(d.get("artifact_size_bytes").asLong()).isPositive();
        assertThat(d.get("build_duration_ms").asLong()).isNotNegative();
        assertThat(java.time.Instant.parse(d.get("started_at").asText()))
                .isBeforeOrEqualTo(java.time.Instant.parse(d.get("ended_at").asText()));
        assertThat(java.time.Instant.parse(d.get("created_at").asText()))
                .isBeforeOrEqualTo(java.time.Instant.parse(d.get("started_at").asText()));
        assertThat(d.at("/artifact/digest").asText()).matches("sha256:[0-9a-f]{64}");
        assertThat(d.at("/artifact/signature").asText()).isNotBlank();
        assertThat(d.at("/artifact/key_id").asText()).startsWith("ed25519-");
        assertThat(d.get("promoted_from").isNull()).isTrue();
        assertThat(d.get("retry_of").isNull()).isTrue();
    }

    private static JsonNode pointer(String stationId, String procedureId) throws Exception {
        for (JsonNode p : api.get("/v2/stations/" + stationId).expect(200).json().get("pointers")) {
            if (p.get("procedure_id").asText().equals(procedureId)) {
                return p;
            }
        }
        throw new AssertionError("station " + stationId + " has no pointer for " + procedureId);
    }

    /** The run started by a run request once it reached {@code status}, or null. */
    private static JsonNode run(String stationId, String runRequestId, String status) throws Exception {
        for (JsonNode r : api.get("/v2/stations/" + stationId + "/runs").expect(200).json().get("data")) {
            if (runRequestId.equals(r.path("run_request_id").asText()) && status.equals(r.path("status").asText())) {
                return r;
            }
        }
        return null;
    }

    private static String mainPy(String version, Path gate) {
        String wait = gate == null ? "" : """
                deadline = time.time() + 300
                while not os.path.exists(%s) and time.time() < deadline:
                    time.sleep(0.2)
                """.formatted(pythonString(gate.toAbsolutePath().toString()));
        return """
                import os
                import time

                print("voltage-check %s on deployment", os.environ.get("BENCHLINE_DEPLOYMENT_ID"))
                %s
                volts = 3.30
                raise SystemExit(0 if 3.20 <= volts <= 3.40 else 1)
                """.formatted(version, wait);
    }

    private static String pythonString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
