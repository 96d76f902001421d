package io.benchline.deployments;

import io.benchline.deployments.app.StuckBuildSweeper;
import io.benchline.events.BuildLogs;
import io.benchline.testsupport.BenchlineInfra;
import io.benchline.testsupport.KafkaTestClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.benchline.deployments.TestSupport.KEY;
import static io.benchline.deployments.TestSupport.at;
import static io.benchline.deployments.TestSupport.await;
import static io.benchline.deployments.TestSupport.awaitStatus;
import static io.benchline.deployments.TestSupport.createProcedure;
import static io.benchline.deployments.TestSupport.deployment;
import static io.benchline.deployments.TestSupport.inSession;
import static io.benchline.deployments.TestSupport.logs;
import static io.benchline.deployments.TestSupport.pendingDeployment;
import static io.benchline.deployments.TestSupport.publishedChanges;
import static io.benchline.deployments.TestSupport.sendLogs;
import static io.benchline.deployments.TestSupport.sendStarted;
import static io.benchline.deployments.TestSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;

/** Nothing waits for ever: stuck pending and building deployments, and dead-lettered build requests, fail. */
@QuarkusTest
@TestProfile(StuckBuildTest.ShortTimeouts.class)
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = "benchline_deployments"),
        @ResourceArg(name = "kafka", value = "true")})
class StuckBuildTest {

    /** Timeouts of ten minutes, so a deployment counts as stuck only when the test backdates it. */
    public static class ShortTimeouts implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("benchline.deployments.pending-timeout", "10m", "benchline.deployments.building-timeout",
                    "10m", "benchline.deployments.stuck-sweep-interval", "1h");
        }
    }

    @Inject
    StuckBuildSweeper sweeper;

    private static void backdate(String deploymentId, String column, int minutes) {
        inSession(s -> s.createNativeQuery("update deployments set " + column + " = now() - make_interval(mins => ?2)"
                        + " where id = ?1").setParameter(1, deploymentId).setParameter(2, minutes).executeUpdate());
    }

    private int sweep() {
        try {
            return VertxContextSupport.subscribeAndAwait(() -> sweeper.sweep());
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Test
    void aPendingDeploymentNoWorkerTookAndASilentBuildFailWithTheirReasons() {
        String procedureId = createProcedure(KEY, "acme/" + unique("stuck"), Map.of()).getString("id");
        String neverTaken = pendingDeployment(procedureId);
        String freshPending = pendingDeployment(procedureId);
        String silent = pendingDeployment(procedureId);
        String talking = pendingDeployment(procedureId);
        sendStarted(silent, silent, at(3600));
        sendStarted(talking, talking, at(3600));
        awaitStatus(silent, "building");
        awaitStatus(talking, "building");
        sendLogs(talking, List.of(new BuildLogs.Line(1, Instant.now(), "info", "pip install still running")));
        await("the live build's log line", () -> logs(talking).size(), n -> n == 1);
        backdate(neverTaken, "created_at", 11);
        backdate(silent, "created_at", 61);

        assertThat(sweep()).as("deployments failed (others of the shared database may be stuck too)").isGreaterThanOrEqualTo(2);

        JsonPath failed = deployment(neverTaken);
        assertThat(failed.getString("status")).isEqualTo("failed");
        assertThat(failed.getString("failure_reason")).contains("no build worker took this build within 10 min");
        List<Map<String, Object>> lines = logs(neverTaken);
        assertThat(lines.get(lines.size() - 1)).containsEntry("level", "error");
        assertThat((String) lines.get(lines.size() - 1).get("text")).contains("no build worker took this build");
        assertThat(deployment(silent).getString("failure_reason")).contains("the build worker stopped reporting");
        assertThat(deployment(freshPending).getString("status")).isEqualTo("pending");
        assertThat(deployment(talking).getString("status")).isEqualTo("building");
        assertThat(publishedChanges(neverTaken)).containsExactly("created", "failed");
        assertThat(sweep()).isZero();
    }

    @Test
    void aDeadLetteredBuildRequestFailsItsDeploymentAtOnce() {
        String procedureId = createProcedure(KEY, "acme/" + unique("dead"), Map.of()).getString("id");
        String id = pendingDeployment(procedureId);
        KafkaTestClient.send("dead-letter-topic-build.requested", id, "not json",
                Map.of("dead-letter-reason", "event is not valid JSON: Unexpected character ('n')"));
        JsonPath failed = awaitStatus(id, "failed");
        assertThat(failed.getString("failure_reason"))
                .isEqualTo("build-worker could not process the build request: event is not valid JSON:"
                        + " Unexpected character ('n')");
    }
}
