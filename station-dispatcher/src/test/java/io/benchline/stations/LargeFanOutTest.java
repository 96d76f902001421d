package io.benchline.stations;

import io.benchline.events.EventEnvelope;
import io.benchline.events.EventIds;
import io.benchline.events.PointerMoved;
import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.benchline.stations.TestSupport.await;
import static io.benchline.stations.TestSupport.count;
import static io.benchline.stations.TestSupport.insertLinkedStations;
import static io.benchline.stations.TestSupport.movesTo;
import static io.benchline.stations.TestSupport.newProcedure;
import static io.benchline.stations.TestSupport.ready;
import static io.benchline.stations.TestSupport.row;
import static io.benchline.stations.TestSupport.send;
import static org.assertj.core.api.Assertions.assertThat;

/** A fleet-sized fan-out through the real broker and database: set-based chunks, one event per move. */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = TestSupport.DATABASE),
        @ResourceArg(name = "kafka", value = "true")})
@QuarkusTestResource(FakePeers.class)
class LargeFanOutTest {
    private static final int STATIONS = 10_000;

    @Test
    void twentyThousandStationsAreEachMovedExactlyOnce() {
        String procedure = newProcedure();
        String prefix = insertLinkedStations(procedure, STATIONS);
        String deployment = EventIds.withPrefix("dep");

        EventEnvelope event = send(ready(procedure, deployment, 1, "production", null));

        await("every pointer at " + deployment, () -> count(
                "select count(*) from pointers where deployment_id = ?", deployment) == STATIONS);
        assertThat(count("select count(*) from pointers where station_id like ? || '%' and pointer_version = 1",
                prefix)).isEqualTo(STATIONS);

        Map<String, List<PointerMoved>> moves = movesTo(deployment, STATIONS, Duration.ofMinutes(3));
        assertThat(moves).hasSize(STATIONS);
        assertThat(moves.values()).allSatisfy(events -> {
            assertThat(events).hasSize(1);
            assertThat(events.get(0).pointerVersion()).isEqualTo(1);
            assertThat(events.get(0).fromDeploymentId()).isNull();
            assertThat(events.get(0).reason()).isEqualTo("auto");
        });
        assertThat(moves.keySet()).allMatch(station -> station.startsWith(prefix));

        // The record was acknowledged when the job was recorded, not when the last pointer moved: the work went
        // on in chunks after the handler's transaction committed.
        List<Object> job = row("select j.created_at, j.finished_at, j.moved, p.processed_at from fanout_jobs j"
                + " join processed_events p on p.event_id = ? where j.deployment_id = ?", event.id(), deployment);
        assertThat(job).isNotNull();
        assertThat(((Number) job.get(2)).longValue()).isEqualTo(STATIONS);
        assertThat((Timestamp) job.get(3)).isBefore((Timestamp) job.get(1));
    }
}
