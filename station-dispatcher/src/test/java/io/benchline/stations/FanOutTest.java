package io.benchline.stations;

import io.benchline.events.DeploymentEvent;
import io.benchline.events.EventCodec;
import io.benchline.events.EventEnvelope;
import io.benchline.events.EventIds;
import io.benchline.events.EventTypes;
import io.benchline.events.PointerMoved;
import io.benchline.stations.TestSupport.CreatedStation;
import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.benchline.stations.TestSupport.awaitPointerAt;
import static io.benchline.stations.TestSupport.awaitProcessed;
import static io.benchline.stations.TestSupport.createStation;
import static io.benchline.stations.TestSupport.link;
import static io.benchline.stations.TestSupport.newProcedure;
import static io.benchline.stations.TestSupport.pointer;
import static io.benchline.stations.TestSupport.pointerMoves;
import static io.benchline.stations.TestSupport.ready;
import static io.benchline.stations.TestSupport.send;
import static org.assertj.core.api.Assertions.assertThat;

/** deployment.events in (real Kafka), pointer moves and station.pointer.moved out (real PostgreSQL, outbox). */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = TestSupport.DATABASE),
        @ResourceArg(name = "kafka", value = "true")})
@QuarkusTestResource(FakePeers.class)
class FanOutTest {

    private static PointerMoved moved(ConsumerRecord<String, String> record) {
        EventEnvelope envelope = EventCodec.parse(record.value());
        assertThat(envelope.type()).isEqualTo(EventTypes.POINTER_MOVED);
        return EventCodec.data(envelope, PointerMoved.class);
    }

    @Test
    void aReadyProductionDeploymentMovesTheProductionPointerOnce() {
        CreatedStation station = createStation();
        String procedure = newProcedure();
        link(station.id(), procedure, "production", null);
        assertThat(pointer(station.id(), procedure).get("deployment_id")).isNull();
        String deployment = EventIds.withPrefix("dep");

        EventEnvelope event = send(ready(procedure, deployment, 1, "production", null));
        awaitPointerAt(station.id(), procedure, deployment);

        List<ConsumerRecord<String, String>> moves = pointerMoves(station.id(), 1);
        assertThat(moves).hasSize(1);
        PointerMoved move = moved(moves.get(0));
        assertThat(move.stationId()).isEqualTo(station.id());
        assertThat(move.orgId()).isEqualTo(FakePeers.ORG_ID);
        assertThat(move.procedureId()).isEqualTo(procedure);
        assertThat(move.fromDeploymentId()).isNull();
        assertThat(move.toDeploymentId()).isEqualTo(deployment);
        assertThat(move.reason()).isEqualTo("auto");
        assertThat(move.pointerVersion()).isEqualTo(1);
        assertThat(((Number) pointer(station.id(), procedure).get("pointer_version")).longValue()).isEqualTo(1);
        assertThat(((Number) pointer(station.id(), procedure).get("sequence")).longValue()).isEqualTo(1);

        // The same event redelivered, then the same deployment's ready change under a new event id: no second move.
        send(event);
        EventEnvelope again = send(ready(procedure, deployment, 1, "production", null));
        awaitProcessed(again.id());
        assertThat(pointerMoves(station.id(), 1)).hasSize(1);
        assertThat(((Number) pointer(station.id(), procedure).get("pointer_version")).longValue()).isEqualTo(1);
    }

    @Test
    void theNextReadyDeploymentMovesOnWithVersionTwoAndAnOlderOneNeverMovesBack() {
        CreatedStation station = createStation();
        String procedure = newProcedure();
        link(station.id(), procedure, "production", null);
        String first = EventIds.withPrefix("dep");
        String second = EventIds.withPrefix("dep");
        String third = EventIds.withPrefix("dep");

        send(ready(procedure, first, 1, "production", null));
        awaitPointerAt(station.id(), procedure, first);
        send(ready(procedure, third, 3, "production", null));
        awaitPointerAt(station.id(), procedure, third);
        // Sequence 2 becomes ready after 3 (a slower build): the pointer stays on 3.
        EventEnvelope late = send(ready(procedure, second, 2, "production", null));
        awaitProcessed(late.id());

        assertThat(pointer(station.id(), procedure).get("deployment_id")).isEqualTo(third);
        List<PointerMoved> moves = pointerMoves(station.id(), 2).stream().map(FanOutTest::moved).toList();
        assertThat(moves).extracting(PointerMoved::pointerVersion).containsExactly(1L, 2L);
        assertThat(moves).extracting(PointerMoved::toDeploymentId).containsExactly(first, third);
        assertThat(moves.get(1).fromDeploymentId()).isEqualTo(first);
    }

    @Test
    void previewDeploymentsMoveOnlyPreviewLinksOfTheirBranch() {
        CreatedStation production = createStation();
        CreatedStation featureBench = createStation();
        CreatedStation otherBranchBench = createStation();
        String procedure = newProcedure();
        link(production.id(), procedure, "production", null);
        link(featureBench.id(), procedure, "preview", "feature/x");
        link(otherBranchBench.id(), procedure, "preview", "feature/y");
        String preview = EventIds.withPrefix("dep");

        EventEnvelope event = send(ready(procedure, preview, 5, "preview", "feature/x"));
        awaitPointerAt(featureBench.id(), procedure, preview);
        awaitProcessed(event.id());

        assertThat(pointer(production.id(), procedure).get("deployment_id")).isNull();
        assertThat(pointer(otherBranchBench.id(), procedure).get("deployment_id")).isNull();
        assertThat(pointerMoves(production.id(), 0)).isEmpty();
        assertThat(pointerMoves(featureBench.id(), 1)).hasSize(1);

        // A production deployment with auto-push off moves nothing either.
        DeploymentEvent ready = ready(procedure, EventIds.withPrefix("dep"), 6, "production", null);
        EventEnvelope noAutoPush = send(new DeploymentEvent(ready.change(), ready.deploymentId(), ready.orgId(),
                ready.procedureId(), ready.sequence(), ready.environment(), ready.trigger(), ready.status(),
                ready.branch(), ready.commitSha(), false, ready.artifact()));
        awaitProcessed(noAutoPush.id());
        assertThat(pointer(production.id(), procedure).get("deployment_id")).isNull();
    }

    @Test
    void aNewLinkPointsAtTheNewestReadyDeploymentRightAway() {
        String procedure = newProcedure();
        String older = EventIds.withPrefix("dep");
        String newer = EventIds.withPrefix("dep");
        awaitProcessed(send(ready(procedure, newer, 2, "production", null)).id());
        awaitProcessed(send(ready(procedure, older, 1, "production", null)).id());
        // A deployment that is only building is never pointed at.
        DeploymentEvent building = new DeploymentEvent(DeploymentEvent.BUILDING, EventIds.withPrefix("dep"),
                FakePeers.ORG_ID, procedure, 3, "production", "auto", "building", null, null, true, null);
        awaitProcessed(send(building).id());
        CreatedStation station = createStation();

        link(station.id(), procedure, "production", null);

        assertThat(pointer(station.id(), procedure).get("deployment_id")).isEqualTo(newer);
        List<PointerMoved> moves = pointerMoves(station.id(), 1).stream().map(FanOutTest::moved).toList();
        assertThat(moves).singleElement().satisfies(m -> {
            assertThat(m.toDeploymentId()).isEqualTo(newer);
            assertThat(m.pointerVersion()).isEqualTo(1);
        });
    }

    @Test
    void anEventOfAnotherOrganizationMovesNoPointer() {
        CreatedStation station = createStation();
        String procedure = newProcedure();
        link(station.id(), procedure, "production", null);
        DeploymentEvent ready = ready(procedure, EventIds.withPrefix("dep"), 1, "production", null);
        EventEnvelope foreign = send(new DeploymentEvent(ready.change(), ready.deploymentId(), FakePeers.OTHER_ORG_ID,
                procedure, 1, "production", "auto", "ready", null, ready.commitSha(), true, ready.artifact()));
        awaitProcessed(foreign.id());
        assertThat(pointer(station.id(), procedure).get("deployment_id")).isNull();
    }
}
