package io.benchline.stations;

import io.benchline.events.ActorRef;
import io.benchline.events.EventCodec;
import io.benchline.events.EventIds;
import io.benchline.events.RolloutEvent;
import io.benchline.events.Topics;
import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static io.benchline.stations.TestSupport.api;
import static io.benchline.stations.TestSupport.awaitProcessed;
import static io.benchline.stations.TestSupport.fleetOnFirstDeployment;
import static io.benchline.stations.TestSupport.ready;
import static io.benchline.stations.TestSupport.readyWithoutAutoPush;
import static io.benchline.stations.TestSupport.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every rollout change on {@code rollout.events} (real PostgreSQL, outbox, real Kafka): one schema-valid event per
 * history entry, in the history's order on the rollout's key, with the rollout's state after the change; a refused
 * change publishes nothing; a plan's rollout and its superseding, written by the deployment-events handler, too.
 */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = TestSupport.DATABASE),
        @ResourceArg(name = "kafka", value = "true")})
@QuarkusTestResource(FakePeers.class)
class RolloutEventsTest {
    private static final ActorRef CALLER = new ActorRef(FakePeers.ADMIN_KEY_ID, "ci admin");

    @Test
    void startAdvancePauseResumeAndAbortAreOneEventEachInTheHistorysOrder() {
        String procedure = fleetOnFirstDeployment()[0];
        String next = readyWithoutAutoPush(procedure, 2);
        String rollout = api().body(Map.of("deployment_id", next, "stages", List.of(Map.of("stations", 2),
                        Map.of("percent", 50), Map.of("percent", 100)), "note", "line 3 first"))
                .post("/v2/rollouts").then().statusCode(201).extract().path("id");
        post(rollout, "advance", Map.of(), 200);
        post(rollout, "pause", Map.of("note", "line 3 is down for maintenance"), 200);
        post(rollout, "advance", Map.of(), 409); // refused while paused: no change, no event
        post(rollout, "resume", Map.of(), 200);
        JsonPath aborted = post(rollout, "abort", Map.of("note", "first-pass yield dropped"), 200);
        assertThat(aborted.getString("state")).isEqualTo("aborted");

        List<RolloutEvent> events = events(rollout, 5);
        assertThat(events).extracting(RolloutEvent::action)
                .containsExactly("created", "advanced", "paused", "resumed", "aborted");
        assertThat(events).extracting(RolloutEvent::state)
                .containsExactly("running", "running", "paused", "running", "aborted");
        assertThat(events).extracting(RolloutEvent::stage).containsExactly(0, 1, 1, 1, 1);
        assertThat(events).extracting(RolloutEvent::note).containsExactly("line 3 first", null,
                "line 3 is down for maintenance", null, "first-pass yield dropped");
        assertThat(events).allSatisfy(e -> {
            assertThat(e.rolloutId()).isEqualTo(rollout);
            assertThat(e.orgId()).isEqualTo(FakePeers.ORG_ID);
            assertThat(e.procedureId()).isEqualTo(procedure);
            assertThat(e.deploymentId()).isEqualTo(next);
            assertThat(e.actor()).isEqualTo(CALLER);
        });
        // The same changes as the history the API shows (newest first there).
        List<String> history = new ArrayList<>(api().get("/v2/rollouts/" + rollout).then().statusCode(200).extract()
                .jsonPath().getList("history.action", String.class));
        Collections.reverse(history);
        assertThat(history).containsExactlyElementsOf(events.stream().map(RolloutEvent::action).toList());
    }

    @Test
    void aPlansRolloutItsSupersedingAndACompleteArePublishedWithTheStateAfterEach() {
        String procedure = fleetOnFirstDeployment()[0];
        api().body(Map.of("stages", List.of(Map.of("stations", 2), Map.of("percent", 50), Map.of("percent", 100))))
                .put("/v2/rollouts/plans/" + procedure).then().statusCode(200);
        String second = EventIds.withPrefix("dep");
        awaitProcessed(send(ready(procedure, second, 2, "production", null)).id());
        String planned = latestRollout(procedure, second);

        String third = EventIds.withPrefix("dep");
        awaitProcessed(send(ready(procedure, third, 3, "production", null)).id());
        String newer = latestRollout(procedure, third);

        List<RolloutEvent> superseded = events(planned, 2);
        assertThat(superseded).extracting(RolloutEvent::action).containsExactly("created", "superseded");
        assertThat(superseded).extracting(RolloutEvent::state).containsExactly("running", "superseded");
        assertThat(superseded).extracting(RolloutEvent::note)
                .containsExactly("the procedure's rollout plan", "deployment " + third + " is newer");
        assertThat(superseded).allSatisfy(e -> {
            assertThat(e.actor()).isEqualTo(ActorRef.SYSTEM);
            assertThat(e.procedureId()).isEqualTo(procedure);
            assertThat(e.deploymentId()).isEqualTo(second);
        });

        // Straight to the last stage: the advance already leaves the rollout completed, then the completion.
        assertThat(post(newer, "complete", Map.of("note", "every line is fine"), 200).getString("state"))
                .isEqualTo("completed");
        List<RolloutEvent> completed = events(newer, 3);
        assertThat(completed).extracting(RolloutEvent::action).containsExactly("created", "advanced", "completed");
        assertThat(completed).extracting(RolloutEvent::state).containsExactly("running", "completed", "completed");
        assertThat(completed).extracting(RolloutEvent::stage).containsExactly(0, 2, 2);
        assertThat(completed).extracting(RolloutEvent::actor).containsExactly(ActorRef.SYSTEM, CALLER, CALLER);
        assertThat(completed).allSatisfy(e -> assertThat(e.deploymentId()).isEqualTo(third));
        api().delete("/v2/rollouts/plans/" + procedure).then().statusCode(204);
    }

    /**
     * The rollout's events on {@code rollout.events}, all of them: read once the outbox holds none of the rollout's
     * rows (each change wrote its row in the transaction the API call committed); each one schema-valid with its
     * headers, keyed and subject by the rollout.
     */
    private static List<RolloutEvent> events(String rollout, int expected) {
        List<ConsumerRecord<String, String>> records = TestSupport.allRecordsOf(Topics.ROLLOUT_EVENTS, rollout);
        records.forEach(TestSupport::assertValidEvent);
        assertThat(records).as("rollout.events records of %s", rollout).hasSize(expected);
        return records.stream().map(r -> EventCodec.data(EventCodec.parse(r.value()), RolloutEvent.class)).toList();
    }


    /** The procedure's newest rollout, which must be of the deployment. */
    private static String latestRollout(String procedure, String deployment) {
        JsonPath list = api().get("/v2/rollouts?procedure_id=" + procedure).then().statusCode(200).extract()
                .jsonPath();
        assertThat(list.getString("data[0].deployment_id")).isEqualTo(deployment);
        return list.getString("data[0].id");
    }

    private static JsonPath post(String rollout, String action, Map<String, Object> body, int status) {
        return api().body(body).post("/v2/rollouts/" + rollout + "/" + action).then().statusCode(status).extract()
                .jsonPath();
    }
}
