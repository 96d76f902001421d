package io.benchline.deployments;

import io.benchline.deployments.app.BuildEvents;
import io.benchline.events.BuildLogs;
import io.benchline.events.DeploymentEvent;
import io.benchline.events.Topics;
import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;

import static io.benchline.deployments.TestSupport.at;
import static io.benchline.deployments.TestSupport.lines;
import static io.benchline.deployments.TestSupport.logs;
import static io.benchline.deployments.TestSupport.pendingDeployment;
import static io.benchline.deployments.TestSupport.KEY;
import static io.benchline.deployments.TestSupport.as;
import static io.benchline.deployments.TestSupport.awaitStatus;
import static io.benchline.deployments.TestSupport.createProcedure;
import static io.benchline.deployments.TestSupport.deployment;
import static io.benchline.deployments.TestSupport.digest;
import static io.benchline.deployments.TestSupport.failed;
import static io.benchline.deployments.TestSupport.publishedChanges;
import static io.benchline.deployments.TestSupport.ready;
import static io.benchline.deployments.TestSupport.sendCompleted;
import static io.benchline.deployments.TestSupport.sendLogs;
import static io.benchline.deployments.TestSupport.sendStarted;
import static io.benchline.deployments.TestSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A deployment reads ready or failed only with its whole log stored: build.completed counts the lines build-worker
 * published, and a result that overtook build.logs batches (another topic) is held until they are stored. The
 * test profile's log wait is long, so here only the last batch finalizes; {@link LogWaitTest} covers the wait.
 * A marker event for another deployment, sent with the same Kafka key (same partition, handled in order), shows
 * that the events before it were handled.
 */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = "benchline_deployments"),
        @ResourceArg(name = "kafka", value = "true")})
class BuildLogCompletenessTest {

    private static String procedure() {
        return createProcedure(KEY, "acme/" + unique("logs"), Map.of()).getString("id");
    }

    private static List<Long> numbers(List<Map<String, Object>> lines) {
        return lines.stream().map(l -> ((Number) l.get("number")).longValue()).toList();
    }

    /** Sends a result for a fresh marker deployment on {@code key}'s partition and waits until it is final. */
    private static void completedHandledOn(String key, String procedureId) {
        String marker = pendingDeployment(procedureId);
        sendCompleted(failed(marker, "marker"), key);
        awaitStatus(marker, "failed");
    }

    /** Sends a log line for a fresh marker deployment on {@code key}'s partition and waits until it is stored. */
    private static void logsHandledOn(String key, String procedureId) {
        String marker = pendingDeployment(procedureId);
        TestSupport.send(Topics.BUILD_LOGS, key, TestSupport.envelope(io.benchline.events.EventTypes.BUILD_LOGS,
                marker, new BuildLogs(marker, lines(1, 1))));
        TestSupport.await("marker line of " + marker, () -> logs(marker), l -> !l.isEmpty());
    }

    @Test
    void aResultThatOvertakesTheLastLogBatchWaitsForItAndIsPublishedOnce() {
        String procedureId = procedure();
        String id = pendingDeployment(procedureId);
        String hex = digest();

        sendStarted(id, id, at(30));
        awaitStatus(id, "building");
        sendLogs(id, lines(1, 3));
        var completed = sendCompleted(ready(id, at(30), at(1), hex, 5L), id);
        TestSupport.send(Topics.BUILD_COMPLETED, id, completed);            // the same event again
        sendCompleted(failed(id, "a second result (a rebuild)", 5L), id);  // another result while held
        completedHandledOn(id, procedureId);

        JsonPath held = deployment(id);
        assertThat(held.getString("status")).as("held until lines 4 and 5 are stored").isEqualTo("building");
        assertThat(held.getString("artifact")).isNull();
        assertThat(held.getString("ended_at")).isNull();
        TestSupport.await("lines 1 to 3 of " + id, () -> numbers(logs(id)), n -> n.size() == 3);
        assertThat(deployment(id).getString("status")).as("lines 1 to 3 are not all it counted").isEqualTo("building");

        sendLogs(id, lines(4, 5));
        JsonPath d = awaitStatus(id, "ready");
        assertThat(d.getString("artifact.digest")).as("the first result wins").isEqualTo("sha256:" + hex);
        assertThat(d.getString("failure_reason")).isNull();
        List<Map<String, Object>> all = logs(id);
        assertThat(numbers(all)).as("every line, no missing-lines note").containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(all).extracting(l -> l.get("text")).containsExactly("line 1", "line 2", "line 3", "line 4", "line 5");

        // after the final state: a redelivered batch, a batch under a new event id, a duplicate result
        sendLogs(id, lines(4, 5));
        sendCompleted(ready(id, at(30), at(1), digest(), 5L), id);
        TestSupport.send(Topics.BUILD_COMPLETED, id, completed);
        logsHandledOn(id, procedureId);
        completedHandledOn(id, procedureId);

        assertThat(numbers(logs(id))).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(deployment(id).getString("artifact.digest")).isEqualTo("sha256:" + hex);
        assertThat(publishedChanges(id)).containsExactly(DeploymentEvent.CREATED, DeploymentEvent.BUILDING,
                DeploymentEvent.READY);
    }

    @Test
    void logsBeforeStartedAndAResultBeforeStartedEndWithTheWholeLogAndNoSkippedState() {
        String procedureId = procedure();
        String id = pendingDeployment(procedureId);

        sendLogs(id, lines(1, 2));                                   // before build.started
        sendCompleted(failed(id, "procedure.yaml is invalid", 4L), id); // before build.started too
        completedHandledOn(id, procedureId);
        assertThat(deployment(id).getString("status")).isEqualTo("pending");

        sendStarted(id, id, at(20));
        awaitStatus(id, "building");
        sendLogs(id, lines(3, 4));
        JsonPath d = awaitStatus(id, "failed");
        assertThat(d.getString("failure_reason")).isEqualTo("procedure.yaml is invalid");
        assertThat(numbers(logs(id))).containsExactly(1L, 2L, 3L, 4L);
        assertThat(publishedChanges(id)).containsExactly(DeploymentEvent.CREATED, DeploymentEvent.BUILDING,
                DeploymentEvent.FAILED);
    }

    @Test
    void aResultWhoseLinesAreAllStoredAndOneWithoutACountFinalizeAtOnce() {
        String procedureId = procedure();
        String counted = pendingDeployment(procedureId);
        String uncounted = pendingDeployment(procedureId);

        sendLogs(counted, lines(1, 2));
        logsHandledOn(counted, procedureId);
        sendCompleted(ready(counted, at(10), at(1), digest(), 2L), counted);
        awaitStatus(counted, "ready");

        // an older worker's result: no log_line_count, so nothing to wait for
        sendCompleted(ready(uncounted, at(10), at(1), digest()), uncounted);
        awaitStatus(uncounted, "ready");
        assertThat(logs(uncounted)).isEmpty();
    }

    @Test
    void twoSweepersAtOnceFinalizeAHeldBuildOnce() throws Exception {
        String procedureId = procedure();
        String id = pendingDeployment(procedureId);
        sendStarted(id, id, at(10));
        awaitStatus(id, "building");
        sendLogs(id, lines(1, 1));
        TestSupport.await("line 1 of " + id, () -> logs(id), l -> l.size() == 1);
        sendCompleted(ready(id, at(10), at(1), digest(), 3L), id);
        completedHandledOn(id, procedureId);
        assertThat(deployment(id).getString("status")).isEqualTo("building");

        // Two instances' sweeps at the same moment, with a cut-off after every hold (the configured wait is long).
        BuildEvents builds = Arc.container().instance(BuildEvents.class).get();
        Instant everyHold = Instant.now().plusSeconds(3600);
        CyclicBarrier together = new CyclicBarrier(2);
        List<CompletableFuture<List<String>>> sweeps = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            sweeps.add(CompletableFuture.supplyAsync(() -> {
                try {
                    together.await();
                    return VertxContextSupport.subscribeAndAwait(() -> builds.finalizeOverdue(everyHold, 10));
                } catch (Throwable e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        List<String> finalized = new ArrayList<>();
        for (CompletableFuture<List<String>> sweep : sweeps) {
            finalized.addAll(sweep.get());
        }
        assertThat(finalized).as("finalized by exactly one of them").containsOnlyOnce(id);

        JsonPath d = deployment(id);
        assertThat(d.getString("status")).isEqualTo("ready");
        List<Map<String, Object>> all = logs(id);
        assertThat(numbers(all)).containsExactly(1L, 4L);
        assertThat(all.get(1).get("level")).isEqualTo("warn");
        assertThat((String) all.get(1).get("text")).startsWith("2 of the 3 log lines the build published had not arrived");

        // the missing lines arrive late: stored in their places, the state stays
        sendLogs(id, lines(2, 3));
        TestSupport.await("late lines of " + id, () -> numbers(logs(id)), n -> n.size() == 4);
        assertThat(numbers(logs(id))).containsExactly(1L, 2L, 3L, 4L);
        assertThat(publishedChanges(id)).containsExactly(DeploymentEvent.CREATED, DeploymentEvent.BUILDING,
                DeploymentEvent.READY);
    }
}
