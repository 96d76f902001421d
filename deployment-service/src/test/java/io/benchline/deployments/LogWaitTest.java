package io.benchline.deployments;

import io.benchline.events.BuildLogs;
import io.benchline.events.DeploymentEvent;
import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.benchline.deployments.TestSupport.at;
import static io.benchline.deployments.TestSupport.lines;
import static io.benchline.deployments.TestSupport.logs;
import static io.benchline.deployments.TestSupport.pendingDeployment;
import static io.benchline.deployments.TestSupport.KEY;
import static io.benchline.deployments.TestSupport.as;
import static io.benchline.deployments.TestSupport.awaitStatus;
import static io.benchline.deployments.TestSupport.createProcedure;
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
 * A log batch that never arrives does not keep a deployment building: after {@code benchline.deployments.log-wait}
 * (one second in this test profile) the sweeper finalizes it with a warning line saying how many lines are missing.
 */
@QuarkusTest
@TestProfile(LogWaitTest.ShortLogWait.class)
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = "benchline_deployments"),
        @ResourceArg(name = "kafka", value = "true")})
class LogWaitTest {

    public static class ShortLogWait implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("benchline.deployments.log-wait", "1s",
                    "benchline.deployments.log-sweep-interval", "200ms");
        }
    }

    @Test
    void aBatchThatNeverArrivesEndsTheWaitWithANoteOfTheMissingLines() {
        String procedureId = createProcedure(KEY, "acme/" + unique("wait"), Map.of()).getString("id");
        String id = pendingDeployment(procedureId);
        String failing = pendingDeployment(procedureId);
        String hex = digest();

        sendStarted(id, id, at(20));
        awaitStatus(id, "building");
        sendLogs(id, lines(1, 2));
        TestSupport.await("lines 1 and 2 of " + id, () -> logs(id), l -> l.size() == 2);
        sendCompleted(ready(id, at(20), at(1), hex, 5L), id);  // lines 3 to 5 never come
        sendCompleted(failed(failing, "clone failed", 1L), failing);  // its one line never comes

        JsonPath d = awaitStatus(id, "ready");
        assertThat(d.getString("artifact.digest")).isEqualTo("sha256:" + hex);
        List<Map<String, Object>> all = logs(id);
        assertThat(all).extracting(l -> ((Number) l.get("number")).longValue()).containsExactly(1L, 2L, 6L);
        assertThat(all.get(2).get("level")).isEqualTo("warn");
        assertThat(all.get(2).get("text")).isEqualTo("3 of the 5 log lines the build published had not arrived 1 s"
                + " after its result; the build was finalized without them");

        JsonPath f = awaitStatus(failing, "failed");
        assertThat(f.getString("failure_reason")).isEqualTo("clone failed");
        assertThat(logs(failing)).singleElement().satisfies(l -> {
            assertThat(l.get("number")).isEqualTo(2);
            assertThat((String) l.get("text")).startsWith("1 of the 1 log lines");
        });

        // a late batch after the sweep: stored, the state and the note stay, nothing is published again
        sendLogs(id, lines(3, 5));
        TestSupport.await("late lines of " + id, () -> logs(id), l -> l.size() == 6);
        assertThat(TestSupport.deployment(id).getString("status")).isEqualTo("ready");
        assertThat(publishedChanges(id)).containsExactly(DeploymentEvent.CREATED, DeploymentEvent.BUILDING,
                DeploymentEvent.READY);
        assertThat(publishedChanges(failing)).containsExactly(DeploymentEvent.CREATED, DeploymentEvent.FAILED);
    }
}
