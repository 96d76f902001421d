package io.benchline.cli.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.cli.agent.AgentMessages.Artifact;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

class AgentTest {
    private static final String PROCEDURE = "prc_01jd0000000000000000000001";
    private static final String DEP_1 = "dep_01jd0000000000000000000001";
    private static final String DEP_2 = "dep_01jd0000000000000000000002";
    private static final String RRQ_1 = "rrq_01jd0000000000000000000001";
    private static final String RRQ_2 = "rrq_01jd0000000000000000000002";
    private static final String RRQ_3 = "rrq_01jd0000000000000000000003";

    private static final String PRINT_DEPLOYMENT = """
            import os
            print("ran deployment", os.environ["BENCHLINE_DEPLOYMENT_ID"], "run", os.environ["BENCHLINE_RUN_ID"],
                  "procedure", os.environ["BENCHLINE_PROCEDURE_ID"])
            """;

    @TempDir
    Path dir;

    private final TestArtifacts signer = new TestArtifacts();
    private FakeStation station;
    private Agent agent;
    private Thread agentThread;

    @BeforeEach
    void startStation() throws Exception {
        station = new FakeStation();
    }

    @AfterEach
    void stopAll() throws Exception {
        stopAgent();
        station.close();
    }

    private Path work() {
        return dir.resolve("work");
    }

    private void startAgent() throws Exception {
        startAgent(Duration.ofSeconds(30));
    }

    private void startAgent(Duration retryRefused) throws Exception {
        startAgent(new AgentConfig(station.url(), FakeStation.TOKEN, signer.writeKeys(dir), work(),
                Duration.ofMillis(50), "python3", retryRefused));
    }

    private void startAgent(AgentConfig config) throws Exception {
        agent = new Agent(config);
        agentThread = new Thread(agent::run, "agent-under-test");
        agentThread.start();
    }

    private void stopAgent() throws Exception {
        if (agent != null) {
            agent.stop();
            assertThat(agent.awaitStopped(Duration.ofSeconds(20))).as("agent stopped").isTrue();
            agentThread.join(5000);
            agent = null;
        }
    }

    private Artifact publish(String deploymentId, String script) {
        byte[] zip = TestArtifacts.procedureZip(script);
        Artifact artifact = signer.artifact(zip);
        station.assign(PROCEDURE, deploymentId, deploymentId.equals(DEP_1) ? 1 : 2, artifact,
                station.put(deploymentId + ".zip", zip));
        return artifact;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    private Path deploymentDir(String deploymentId) {
        return work().resolve("procedures").resolve(PROCEDURE).resolve(deploymentId);
    }

    @Test
    void assignmentIsDownloadedVerifiedUnpackedActivatedAndReported() throws Exception {
        publish(DEP_1, PRINT_DEPLOYMENT);
        startAgent();

        await("pointer report", () -> !station.pointerReports.isEmpty());

        JsonNode pointer = station.pointerReports.get(0);
        assertThat(station.pointerPaths.get(0)).isEqualTo("/agent/v1/pointers/" + PROCEDURE);
        assertThat(pointer.path("deployment_id").asText()).isEqualTo(DEP_1);
        assertThat(pointer.path("pointer_version").asLong()).isEqualTo(1);
        assertThat(deploymentDir(DEP_1).resolve("main.py")).exists();
        assertThat(deploymentDir(DEP_1).resolve("manifest.json")).exists();
        assertThat(agent.activeDeployment(PROCEDURE)).isEqualTo(DEP_1);
        assertThat(station.downloadAuthHeaders).containsOnly("null");
        assertThat(station.unauthorized).isEmpty();
        assertThat(work().resolve("state.json")).content().contains(DEP_1);

        Thread.sleep(300);
        assertThat(station.pointerReports).as("reported once").hasSize(1);
        assertThat(station.downloadAuthHeaders).as("downloaded once").hasSize(1);
    }

    /** A station with the push channel, and an agent that would poll only once an hour without it. */
    private void startPushAgent() throws Exception {
        station.close();
        station = new FakeStation(true);
        startAgent(new AgentConfig(station.url(), FakeStation.TOKEN, signer.writeKeys(dir), work(),
                Duration.ofHours(1), "python3", Duration.ofSeconds(30), Duration.ofSeconds(30)));
    }

    @Test
    void thePushChannelDeliversANewAssignmentAndARunRequestWithoutPolling() throws Exception {
        startPushAgent();
        await("the push channel is held", () -> station.assignmentQueries.size() >= 2);

        // Only the held request can bring this: the agent's own poll would come an hour later.
        publish(DEP_1, PRINT_DEPLOYMENT);
        await("pointer report", () -> !station.pointerReports.isEmpty());
        assertThat(agent.activeDeployment(PROCEDURE)).isEqualTo(DEP_1);

        station.requestRun("rrq_push", PROCEDURE);
        await("finished report", () -> !station.runReports("finished").isEmpty());
        assertThat(station.runReports("finished").get(0).path("deployment_id").asText()).isEqualTo(DEP_1);

        assertThat(station.assignmentQueries).as("every request waits on the push channel")
                .allMatch(q -> q.equals("wait=30"));
    }

    @Test
    void aDispatcherWithoutThePushChannelIsPolled() throws Exception {
        publish(DEP_1, PRINT_DEPLOYMENT);
        startAgent();
        await("pointer report", () -> !station.pointerReports.isEmpty());
        await("plain polls", () -> station.assignmentQueries.stream().filter(String::isEmpty).count() >= 3);
        assertThat(agent.activeDeployment(PROCEDURE)).isEqualTo(DEP_1);
    }

    @Test
    void runRequestExecutesTheEntryPointAndReportsStartedAndFinished() throws Exception {
        publish(DEP_1, PRINT_DEPLOYMENT);
        startAgent();
        await("pointer report", () -> !station.pointerReports.isEmpty());

        station.requestRun(RRQ_1, PROCEDURE);
        await("finished report", () -> !station.runReports("finished").isEmpty());

        JsonNode started = station.runReports("started").get(0);
        JsonNode finished = station.runReports("finished").get(0);
        String runId = started.path("run_id").asText();
        assertThat(runId).matches("^run_[0-9a-z]{26}$");
        assertThat(started.path("procedure_id").asText()).isEqualTo(PROCEDURE);
        assertThat(started.path("deployment_id").asText()).isEqualTo(DEP_1);
        assertThat(started.path("run_request_id").asText()).isEqualTo(RRQ_1);
        assertThat(started.has("outcome")).isFalse();
        assertThat(java.time.Instant.parse(started.path("at").asText())).isNotNull();
        assertThat(finished.path("run_id").asText()).isEqualTo(runId);
        assertThat(finished.path("deployment_id").asText()).isEqualTo(DEP_1);
        assertThat(finished.path("outcome").asText()).isEqualTo("passed");
        assertThat(finished.path("duration_ms").isNumber()).isTrue();
        assertThat(station.runReports.indexOf(started)).isLessThan(station.runReports.indexOf(finished));

        Path log = work().resolve("runs").resolve(runId + ".log");
        assertThat(log).content().contains("ran deployment " + DEP_1 + " run " + runId + " procedure " + PROCEDURE);

        Thread.sleep(300);
        assertThat(station.runReports).as("the run request is handled once").hasSize(2);
    }

    @Test
    void failingEntryPointReportsFailed() throws Exception {
        publish(DEP_1, "import sys\nprint('out of limits')\nsys.exit(3)\n");
        startAgent();
        await("pointer report", () -> !station.pointerReports.isEmpty());

        station.requestRun(RRQ_1, PROCEDURE);
        await("finished report", () -> !station.runReports("finished").isEmpty());

        assertThat(station.runReports("finished").get(0).path("outcome").asText()).isEqualTo("failed");
    }

    @Test
    void newDeploymentWaitsForTheIdleWindow() throws Exception {
        Path go = dir.resolve("go");
        publish(DEP_1, waitFor(go));
        startAgent();
        await("pointer of deployment 1", () -> !station.pointerReports.isEmpty());

        station.requestRun(RRQ_1, PROCEDURE);
        await("started report", () -> !station.runReports("started").isEmpty());
        assertThat(station.runReports("started").get(0).path("deployment_id").asText()).isEqualTo(DEP_1);

        publish(DEP_2, PRINT_DEPLOYMENT);
        await("deployment 2 unpacked", () -> Files.exists(deploymentDir(DEP_2).resolve("main.py")));
        // A run request for the same procedure waits for the run in progress, too.
        station.requestRun(RRQ_2, PROCEDURE);
        Thread.sleep(400);
        assertThat(agent.activeDeployment(PROCEDURE)).as("not activated during the run").isEqualTo(DEP_1);
        assertThat(station.pointerReports).as("no pointer report during the run").hasSize(1);
        await("deployment 2 reported staged", () -> station.stateReports.stream().anyMatch(r ->
                r.path("deployment_id").asText().equals(DEP_2) && r.path("state").asText().equals("staged")));
        assertThat(station.stateReports.stream().filter(r -> r.path("deployment_id").asText().equals(DEP_2))
                .map(r -> r.path("state").asText())).containsExactly("downloading", "staged");
        assertThat(station.runReports("started")).as("one run at a time").hasSize(1);
        assertThat(station.runReports("finished")).isEmpty();

        Files.writeString(go, "go");
        await("pointer of deployment 2", () -> station.pointerReports.size() == 2);
        JsonNode firstFinished = station.runReports("finished").get(0);
        assertThat(firstFinished.path("deployment_id").asText()).as("a run reports what it started on")
                .isEqualTo(DEP_1);
        assertThat(firstFinished.path("outcome").asText()).isEqualTo("passed");
        assertThat(station.pointerReports.get(1).path("deployment_id").asText()).isEqualTo(DEP_2);
        assertThat(station.pointerReports.get(1).path("pointer_version").asLong()).isEqualTo(2);
        assertThat(agent.activeDeployment(PROCEDURE)).isEqualTo(DEP_2);
        await("deployment 2 reported active", () -> station.stateReports.stream().anyMatch(r ->
                r.path("deployment_id").asText().equals(DEP_2) && r.path("state").asText().equals("active")));

        await("second run finished", () -> station.runReports("finished").size() == 2);
        JsonNode second = station.runReports("finished").get(1);
        assertThat(second.path("run_request_id").asText()).isEqualTo(RRQ_2);
        assertThat(second.path("deployment_id").asText()).isEqualTo(DEP_2);
        assertThat(station.runReports("started").get(1).path("deployment_id").asText()).isEqualTo(DEP_2);
    }

    /**
     * A busy station (a run ended within the idle window) keeps its version for the next run; once the staged
     * deployment is past the max deferral, it drains: reports it, finishes the run in flight on its version,
     * switches, and only then starts the run that waited.
     */
    @Test
    void aBusyStationKeepsItsVersionWithinTheIdleWindowAndDrainsPastTheMaxDeferral() throws Exception {
        Path go = dir.resolve("go");
        publish(DEP_1, consume(go));
        station.settings(PROCEDURE, 3600, 3600);
        startAgent();
        await("pointer of deployment 1", () -> !station.pointerReports.isEmpty());
        station.requestRun(RRQ_1, PROCEDURE);
        await("run 1 started", () -> station.runReports("started").size() == 1);

        publish(DEP_2, PRINT_DEPLOYMENT);
        station.settings(PROCEDURE, 3600, 3600);
        await("deployment 2 staged", () -> station.stateReports.stream().anyMatch(r ->
                r.path("deployment_id").asText().equals(DEP_2) && r.path("state").asText().equals("staged")));
        station.requestRun(RRQ_2, PROCEDURE);
        Files.writeString(go, "go");
        await("run 2 started", () -> station.runReports("started").size() == 2);
        assertThat(station.runReports("started").get(1).path("deployment_id").asText())
                .as("a run right after another (within the idle window) stays on the active version").isEqualTo(DEP_1);
        assertThat(agent.activeDeployment(PROCEDURE)).isEqualTo(DEP_1);

        // Past the max deferral with run 2 in flight: the station drains, and says so.
        station.requestRun(RRQ_3, PROCEDURE);
        station.settings(PROCEDURE, 3600, 0);
        await("draining reported", () -> station.stateReports.stream().anyMatch(r ->
                r.path("deployment_id").asText().equals(DEP_2) && r.path("state").asText().equals("draining")));
        JsonNode drain = station.stateReports.stream().filter(r -> r.path("state").asText().equals("draining"))
                .findFirst().orElseThrow();
        assertThat(drain.path("reason").asText()).contains("max deferral").contains("run ");
        assertThat(station.runReports("started")).as("no new run while draining").hasSize(2);
        assertThat(agent.activeDeployment(PROCEDURE)).isEqualTo(DEP_1);

        Files.writeString(go, "go");
        await("run 3 finished", () -> station.runReports("finished").size() == 3);
        List<JsonNode> finished = station.runReports("finished");
        assertThat(finished.get(1).path("run_request_id").asText()).isEqualTo(RRQ_2);
        assertThat(finished.get(1).path("deployment_id").asText()).as("a run reports what it started on")
                .isEqualTo(DEP_1);
        assertThat(finished.get(2).path("run_request_id").asText()).isEqualTo(RRQ_3);
        assertThat(finished.get(2).path("deployment_id").asText()).as("the run that waited, after the switch")
                .isEqualTo(DEP_2);
        assertThat(station.stateReports.stream().filter(r -> r.path("deployment_id").asText().equals(DEP_2))
                .map(r -> r.path("state").asText())).containsExactly("downloading", "staged", "draining", "active");
    }

    /** An idle station switches at once, however long the idle window: no run ended since it started. */
    @Test
    void anIdleStationSwitchesAtOnceWhateverTheIdleWindow() throws Exception {
        publish(DEP_1, PRINT_DEPLOYMENT);
        station.settings(PROCEDURE, 3600, 3600);
        startAgent();
        await("pointer of deployment 1", () -> !station.pointerReports.isEmpty());
        publish(DEP_2, PRINT_DEPLOYMENT);
        station.settings(PROCEDURE, 3600, 3600);
        await("pointer of deployment 2", () -> station.pointerReports.size() == 2);
        assertThat(agent.activeDeployment(PROCEDURE)).isEqualTo(DEP_2);
        assertThat(station.stateReports.stream().map(r -> r.path("state").asText())).doesNotContain("draining");
    }

    /** An agent without a trusted-keys file: it trusts what it fetches from the station (GET /agent/v1/keys). */
    private void startFetchingAgent(Duration keysRefresh) throws Exception {
        startAgent(new AgentConfig(station.url(), FakeStation.TOKEN, null, work(), Duration.ofMillis(50), "python3",
                Duration.ofMillis(50), Duration.ZERO, keysRefresh));
    }

    @Test
    void aRotationReachesTheRunningAgentAndWhatTheOldKeySignedStillVerifies() throws Exception {
        TestArtifacts newKey = new TestArtifacts();
        station.serveKeys(TestArtifacts.keyList(FakeStation.ORG, signer.keyJson("active")));
        Artifact first = publish(DEP_1, PRINT_DEPLOYMENT);
        String firstUrl = station.put("again-" + DEP_1 + ".zip", TestArtifacts.procedureZip(PRINT_DEPLOYMENT));
        startFetchingAgent(Duration.ofHours(1));
        await("deployment 1 active", () -> DEP_1.equals(agent.activeDeployment(PROCEDURE)));
        assertThat(station.keysRequests).as("fetched once at the start").hasSize(1);

        // The admin rotates: the station now lists the new key as active and the old one as retired.
        station.serveKeys(TestArtifacts.keyList(FakeStation.ORG, newKey.keyJson("active"),
                signer.keyJson("retired")));
        byte[] zip2 = TestArtifacts.procedureZip(PRINT_DEPLOYMENT + "# v2\n");
        station.assign(PROCEDURE, DEP_2, 2, newKey.artifact(zip2), station.put(DEP_2 + ".zip", zip2));

        await("deployment 2, signed by the new key, active", () -> DEP_2.equals(agent.activeDeployment(PROCEDURE)));
        assertThat(station.keysRequests).as("the unknown key made the agent fetch again, with the tag it had")
                .containsExactly("", "\"keys-1\"");
        assertThat(agent.refusalReason(DEP_2)).isEmpty();

        // Rollback to deployment 1: signed by the now retired key, which still verifies it.
        station.assign(PROCEDURE, DEP_1, 3, first, firstUrl);
        await("deployment 1 active again", () -> DEP_1.equals(agent.activeDeployment(PROCEDURE)));
        assertThat(agent.refusalReason(DEP_1)).isEmpty();
        assertThat(station.keysRequests).as("the retired key was known: no fetch needed").hasSize(2);

        // The rollback really re-verified the unpacked artifact: once the old key is no longer listed (never done
        // by a rotation, which keeps retired keys), the same move back is refused.
        station.assign(PROCEDURE, DEP_2, 4, newKey.artifact(zip2), station.put(DEP_2 + "-b.zip", zip2));
        await("deployment 2 active again", () -> DEP_2.equals(agent.activeDeployment(PROCEDURE)));
        // A second rotation whose list no longer has the first key; another procedure's deployment, signed with
        // the newest key, makes the agent fetch that list.
        TestArtifacts third = new TestArtifacts();
        station.serveKeys(TestArtifacts.keyList(FakeStation.ORG, third.keyJson("active"), newKey.keyJson("retired")));
        String otherProcedure = "prc_01jd0000000000000000000002";
        String dep3 = "dep_01jd0000000000000000000003";
        byte[] zip3 = TestArtifacts.procedureZip(PRINT_DEPLOYMENT + "# v3\n");
        station.assign(otherProcedure, dep3, 1, third.artifactFor(zip3, FakeStation.ORG, otherProcedure),
                station.put(dep3 + ".zip", zip3));
        await("the other procedure's deployment active", () -> dep3.equals(agent.activeDeployment(otherProcedure)));
        assertThat(deploymentDir(DEP_1)).as("still unpacked, as the previous deployment").exists();
        station.assign(PROCEDURE, DEP_1, 5, first, firstUrl);
        await("the move back refused", () -> agent.refusalReason(DEP_1).isPresent());
        assertThat(agent.refusalReason(DEP_1).orElseThrow()).contains("signing key " + signer.keyId
                + " is not trusted");
        assertThat(agent.activeDeployment(PROCEDURE)).isEqualTo(DEP_2);
    }

    @Test
    void thePeriodicRefreshAsksWithTheETagAndKeepsTheKeysOnA304() throws Exception {
        station.serveKeys(TestArtifacts.keyList(FakeStation.ORG, signer.keyJson("active")));
        startFetchingAgent(Duration.ofMillis(20));
        await("three key fetches", () -> station.keysRequests.size() >= 3);
        assertThat(station.keysRequests.subList(1, 3)).containsOnly("\"keys-1\"");

        publish(DEP_1, PRINT_DEPLOYMENT);
        await("deployment 1 active", () -> DEP_1.equals(agent.activeDeployment(PROCEDURE)));
    }

    @Test
    void anArtifactOfAnotherOrganizationIsRefusedWithTheReason() throws Exception {
        String otherProcedure = "prc_01jd0000000000000000000002";
        station.serveKeys(TestArtifacts.keyList(FakeStation.ORG, signer.keyJson("active")));
        TestArtifacts theirKey = new TestArtifacts();
        byte[] zip = TestArtifacts.procedureZip(PRINT_DEPLOYMENT);
        // Signed by another organization's key (not in this station's list) ...
        station.assign(PROCEDURE, DEP_1, 1, theirKey.artifactFor(zip, "org_theirs", PROCEDURE),
                station.put("theirs.zip", zip));
        // ... and signed by this organization's key, but for another organization: the same bytes from elsewhere.
        station.assign(otherProcedure, DEP_2, 1, signer.artifactFor(zip, "org_theirs", otherProcedure),
                station.put("for-them.zip", zip));
        startFetchingAgent(Duration.ofHours(1));

        await("both refused", () -> agent.refusalReason(DEP_1).isPresent() && agent.refusalReason(DEP_2).isPresent());
        assertThat(agent.refusalReason(DEP_1).orElseThrow()).startsWith("REFUSED")
                .contains("signing key " + theirKey.keyId + " is not trusted")
                .contains("not a key of organization " + FakeStation.ORG);
        assertThat(agent.refusalReason(DEP_2).orElseThrow()).startsWith("REFUSED").contains("does not verify")
                .contains("for organization " + FakeStation.ORG);
        assertThat(station.downloadAuthHeaders).as("nothing downloaded for a refused signature").isEmpty();
        assertThat(station.pointerReports).isEmpty();
        assertThat(agent.activeDeployment(PROCEDURE)).isNull();
        assertThat(agent.activeDeployment(otherProcedure)).isNull();
    }

    @Test
    void artifactSignedByAnUnknownKeyIsRefusedAndNeverActivated() throws Exception {
        byte[] zip = TestArtifacts.procedureZip(PRINT_DEPLOYMENT);
        Artifact byStranger = new TestArtifacts().artifact(zip);
        station.assign(PROCEDURE, DEP_1, 1, byStranger, station.put("x.zip", zip));
        startAgent(Duration.ofMillis(50));

        Thread.sleep(500);
        assertThat(station.pointerReports).isEmpty();
        assertThat(deploymentDir(DEP_1)).doesNotExist();
        assertThat(station.downloadAuthHeaders).as("nothing downloaded for an untrusted signature").isEmpty();
        assertThat(agent.activeDeployment(PROCEDURE)).isNull();

        station.requestRun(RRQ_1, PROCEDURE);
        Thread.sleep(300);
        assertThat(station.runReports).as("no run without an active deployment").isEmpty();
    }

    @Test
    void tamperedDownloadIsRefusedAndRetriedLater() throws Exception {
        byte[] zip = TestArtifacts.procedureZip(PRINT_DEPLOYMENT);
        Artifact artifact = signer.artifact(zip);
        byte[] tampered = zip.clone();
        tampered[tampered.length - 30] ^= 1;
        station.assign(PROCEDURE, DEP_1, 1, artifact, station.put("a.zip", tampered));
        startAgent(Duration.ofMillis(50));

        await("two download attempts", () -> station.downloadAuthHeaders.size() >= 2);
        assertThat(station.pointerReports).isEmpty();
        assertThat(deploymentDir(DEP_1)).doesNotExist();

        station.put("a.zip", zip);
        await("pointer report after the good bytes arrived", () -> !station.pointerReports.isEmpty());
        assertThat(station.pointerReports.get(0).path("deployment_id").asText()).isEqualTo(DEP_1);
    }

    @Test
    void dispatcherOutageIsSurvivedAndReportsAreDeliveredLater() throws Exception {
        Path go = dir.resolve("go");
        publish(DEP_1, waitFor(go));
        startAgent();
        await("pointer report", () -> !station.pointerReports.isEmpty());

        station.requestRun(RRQ_1, PROCEDURE);
        await("run started", () -> !station.runReports("started").isEmpty());
        String runId = station.runReports("started").get(0).path("run_id").asText();
        station.failAgentCallsWith = 503;
        Files.writeString(go, "go");
        Path log = work().resolve("runs").resolve(runId + ".log");
        await("run ended during the outage", () -> {
            try {
                return Files.readString(log).contains("# exit 0");
            } catch (java.io.IOException e) {
                return false;
            }
        });
        Thread.sleep(300);
        assertThat(agentThread.isAlive()).isTrue();
        assertThat(station.runReports("finished")).isEmpty();
        assertThat(work().resolve("state.json")).content().contains("finished");

        station.failAgentCallsWith = 0;
        await("finished delivered after the outage", () -> !station.runReports("finished").isEmpty());
        assertThat(station.runReports("finished").get(0).path("deployment_id").asText()).isEqualTo(DEP_1);
        assertThat(station.runReports("finished").get(0).path("run_id").asText()).isEqualTo(runId);
    }

    @Test
    void stoppingTheAgentEndsARunAsErrorAndReportsIt() throws Exception {
        publish(DEP_1, waitFor(dir.resolve("never")));
        startAgent();
        await("pointer report", () -> !station.pointerReports.isEmpty());
        station.requestRun(RRQ_1, PROCEDURE);
        await("run started", () -> !station.runReports("started").isEmpty());

        stopAgent();

        assertThat(station.runReports("finished")).hasSize(1);
        JsonNode finished = station.runReports("finished").get(0);
        assertThat(finished.path("outcome").asText()).isEqualTo("error");
        assertThat(finished.path("deployment_id").asText()).isEqualTo(DEP_1);
    }

    @Test
    void restartKeepsActiveDeploymentAndHandledRunRequests() throws Exception {
        publish(DEP_1, PRINT_DEPLOYMENT);
        startAgent();
        await("pointer report", () -> !station.pointerReports.isEmpty());
        station.requestRun(RRQ_1, PROCEDURE);
        await("finished report", () -> !station.runReports("finished").isEmpty());
        stopAgent();

        // The dispatcher still lists the request (e.g. it missed the claim): the agent must not run it again.
        station.requestRun(RRQ_1, PROCEDURE);
        startAgent();
        assertThat(agent.activeDeployment(PROCEDURE)).isEqualTo(DEP_1);
        station.requestRun(RRQ_3, PROCEDURE);
        await("new request ran", () -> station.runReports("finished").size() == 2);
        Thread.sleep(200);
        assertThat(station.runReports("started")).hasSize(2);
        assertThat(station.runReports("started").get(1).path("run_request_id").asText()).isEqualTo(RRQ_3);
        assertThat(station.downloadAuthHeaders).as("not downloaded again").hasSize(1);
    }

    @Test
    void anUnlinkedProcedureFinishesItsRunOnItsVersionThenIsDropped() throws Exception {
        Path go = dir.resolve("go");
        publish(DEP_1, waitFor(go));
        startAgent();
        await("pointer report", () -> !station.pointerReports.isEmpty());
        station.requestRun(RRQ_1, PROCEDURE);
        await("run started", () -> !station.runReports("started").isEmpty());

        station.unassign(PROCEDURE);
        int polled = station.assignmentQueries.size();
        await("polls that saw the unlink", () -> station.assignmentQueries.size() >= polled + 3);
        assertThat(agent.activeDeployment(PROCEDURE)).as("kept while its run is in flight").isEqualTo(DEP_1);
        assertThat(deploymentDir(DEP_1).resolve("main.py")).exists();
        assertThat(station.runReports("finished")).isEmpty();

        Files.writeString(go, "go");
        await("run finished", () -> !station.runReports("finished").isEmpty());
        JsonNode finished = station.runReports("finished").get(0);
        assertThat(finished.path("deployment_id").asText()).as("the run reports its own version").isEqualTo(DEP_1);
        assertThat(finished.path("outcome").asText()).isEqualTo("passed");

        await("procedure dropped", () -> agent.activeDeployment(PROCEDURE) == null);
        Path procedureDir = work().resolve("procedures").resolve(PROCEDURE);
        await("its deployments removed", () -> !Files.exists(procedureDir));
        Thread.sleep(300);
        assertThat(station.pointerReports).as("no pointer reported after the unlink").hasSize(1);
        stopAgent();
        AgentState saved = AgentState.load(work().resolve("state.json"));
        assertThat(saved.active(PROCEDURE)).isNull();
        assertThat(saved.reported(PROCEDURE)).isNull();
        assertThat(saved.runsInProgress()).isEmpty();
        assertThat(saved.pendingReports()).isZero();
    }

    @Test
    void anUnlinkedIdleProcedureIsDroppedWithItsPendingDeploymentAndCanBeLinkedAgain() throws Exception {
        publish(DEP_1, PRINT_DEPLOYMENT);
        startAgent();
        await("pointer report", () -> !station.pointerReports.isEmpty());

        station.unassign(PROCEDURE);
        await("procedure dropped", () -> agent.activeDeployment(PROCEDURE) == null);
        await("its deployments removed", () -> !Files.exists(work().resolve("procedures").resolve(PROCEDURE)));

        // Linked again with the deployment it ran before: installed and reported afresh.
        publish(DEP_1, PRINT_DEPLOYMENT);
        await("reported again", () -> station.pointerReports.size() == 2);
        assertThat(agent.activeDeployment(PROCEDURE)).isEqualTo(DEP_1);
        assertThat(deploymentDir(DEP_1).resolve("main.py")).exists();
    }

    @Test
    void aFailedFetchOfAssignmentsDropsNothing() throws Exception {
        publish(DEP_1, PRINT_DEPLOYMENT);
        startAgent();
        await("pointer report", () -> !station.pointerReports.isEmpty());

        station.failAgentCallsWith = 503;
        await("failed polls", () -> station.failedAgentCalls.get() >= 5);
        assertThat(agent.activeDeployment(PROCEDURE)).isEqualTo(DEP_1);
        assertThat(deploymentDir(DEP_1).resolve("main.py")).exists();

        // Unreachable: no answer at all.
        station.close();
        Thread.sleep(500);
        assertThat(agent.activeDeployment(PROCEDURE)).isEqualTo(DEP_1);
        assertThat(deploymentDir(DEP_1).resolve("main.py")).exists();
        stopAgent();
        assertThat(AgentState.load(work().resolve("state.json")).active(PROCEDURE).deploymentId()).isEqualTo(DEP_1);
    }

    /** A script that waits until a file appears, then passes. */
    /** A run that waits for the file and removes it: each file written releases one run. */
    private static String consume(Path file) {
        return """
                import os, time
                while not os.path.exists(%s):
                    time.sleep(0.02)
                os.remove(%s)
                print("run on", os.environ["BENCHLINE_DEPLOYMENT_ID"])
                """.formatted(pythonString(file.toString()), pythonString(file.toString()));
    }

    private static String waitFor(Path file) {
        return """
                import os, time
                while not os.path.exists(%s):
                    time.sleep(0.02)
                print("slow run on", os.environ["BENCHLINE_DEPLOYMENT_ID"])
                """.formatted(pythonString(file.toString()));
    }

    private static String pythonString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
