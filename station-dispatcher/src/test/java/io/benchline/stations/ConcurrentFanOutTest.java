package io.benchline.stations;

import io.benchline.events.DeploymentEvent;
import io.benchline.events.EventCodec;
import io.benchline.events.EventIds;
import io.benchline.events.PointerMoved;
import io.benchline.stations.TestSupport.CreatedStation;
import io.benchline.stations.app.FanOutService;
import io.benchline.stations.app.FanOutWorker;
import io.benchline.testsupport.BenchlineInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.inject.Inject;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.benchline.stations.TestSupport.awaitPointerAt;
import static io.benchline.stations.TestSupport.awaitProcessed;
import static io.benchline.stations.TestSupport.createStation;
import static io.benchline.stations.TestSupport.link;
import static io.benchline.stations.TestSupport.newProcedure;
import static io.benchline.stations.TestSupport.pointer;
import static io.benchline.stations.TestSupport.pointerMoves;
import static io.benchline.stations.TestSupport.ready;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ready events of one procedure handled at the same time (several partitions, several instances): every move is
 * forward, and no two moves of a pointer carry the same pointer version.
 */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = TestSupport.DATABASE),
        @ResourceArg(name = "kafka", value = "true")})
@QuarkusTestResource(FakePeers.class)
class ConcurrentFanOutTest {

    @Inject
    FanOutService fanOut;

    @Inject
    FanOutWorker worker;

    /** The station's moves, once as many as its pointer's version have been relayed (the outbox runs apart). */
    private static List<PointerMoved> movesOf(String stationId, String procedure) {
        int version = ((Number) pointer(stationId, procedure).get("pointer_version")).intValue();
        return movesOf(stationId, version);
    }

    private static List<PointerMoved> movesOf(String stationId, int atLeast) {
        return pointerMoves(stationId, atLeast).stream()
                .map(r -> EventCodec.data(EventCodec.parse(r.value()), PointerMoved.class)).toList();
    }

    /** Moves must be 1..n without gaps or repeats, each to a higher sequence than the one before. */
    private static void assertConsistent(List<PointerMoved> moves, Map<String, Long> sequenceOf, String last) {
        assertThat(moves).extracting(PointerMoved::pointerVersion)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, moves.size()).boxed().toList());
        for (int i = 1; i < moves.size(); i++) {
            assertThat(sequenceOf.get(moves.get(i).toDeploymentId()))
                    .isGreaterThan(sequenceOf.get(moves.get(i - 1).toDeploymentId()));
            assertThat(moves.get(i).fromDeploymentId()).isEqualTo(moves.get(i - 1).toDeploymentId());
        }
        assertThat(moves.get(moves.size() - 1).toDeploymentId()).isEqualTo(last);
    }

    @RepeatedTest(3)
    void twoReadyEventsHandledAtOnceNeverShareAPointerVersion() throws Exception {
        CreatedStation station = createStation();
        String procedure = newProcedure();
        link(station.id(), procedure, "production", null);
        List<DeploymentEvent> events = List.of(
                ready(procedure, EventIds.withPrefix("dep"), 1, "production", null),
                ready(procedure, EventIds.withPrefix("dep"), 2, "production", null));

        handleConcurrently(events);

        String newest = events.get(1).deploymentId();
        awaitPointerAt(station.id(), procedure, newest);
        List<PointerMoved> moves = movesOf(station.id(), procedure);
        assertThat(moves).hasSizeBetween(1, 2);
        assertConsistent(moves, events.stream().collect(Collectors.toMap(DeploymentEvent::deploymentId,
                DeploymentEvent::sequence)), newest);
        assertThat(((Number) pointer(station.id(), procedure).get("pointer_version")).longValue())
                .isEqualTo(moves.size());
    }

    @Test
    void manyReadyEventsInAnyOrderOnSeveralStationsStayConsistent() throws Exception {
        String procedure = newProcedure();
        List<CreatedStation> stations = List.of(createStation(), createStation(), createStation());
        stations.forEach(s -> link(s.id(), procedure, "production", null));
        List<DeploymentEvent> events = new ArrayList<>();
        for (int sequence = 1; sequence <= 8; sequence++) {
            events.add(ready(procedure, EventIds.withPrefix("dep"), sequence, "production", null));
        }
        Map<String, Long> sequenceOf = events.stream().collect(Collectors.toMap(DeploymentEvent::deploymentId,
                DeploymentEvent::sequence));
        List<DeploymentEvent> shuffled = new ArrayList<>(events);
        Collections.shuffle(shuffled);

        handleConcurrently(shuffled);

        String newest = events.get(events.size() - 1).deploymentId();
        for (CreatedStation station : stations) {
            awaitPointerAt(station.id(), procedure, newest);
            assertConsistent(movesOf(station.id(), procedure), sequenceOf, newest);
        }
    }

    @Test
    void concurrentReadyEventsThroughKafkaEndOnTheNewest() {
        CreatedStation station = createStation();
        String procedure = newProcedure();
        link(station.id(), procedure, "production", null);
        List<DeploymentEvent> events = new ArrayList<>();
        for (int sequence = 1; sequence <= 6; sequence++) {
            events.add(ready(procedure, EventIds.withPrefix("dep"), sequence, "production", null));
        }
        // Keys are deployment ids, so these spread over the partitions and their consumers.
        List<String> ids = events.stream().map(e -> TestSupport.send(e).id()).toList();
        ids.forEach(TestSupport::awaitProcessed);

        String newest = events.get(events.size() - 1).deploymentId();
        awaitPointerAt(station.id(), procedure, newest);
        assertConsistent(movesOf(station.id(), procedure), events.stream().collect(Collectors.toMap(
                DeploymentEvent::deploymentId, DeploymentEvent::sequence)), newest);
    }

    private void handleConcurrently(List<DeploymentEvent> events) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2 * events.size());
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (DeploymentEvent event : events) {
                String eventId = EventIds.next();
                done.add(pool.submit(() -> {
                    go.await();
                    try {
                        return VertxContextSupport.subscribeAndAwait(() -> fanOut.handle(eventId, event));
                    } catch (Throwable t) {
                        throw new IllegalStateException("handling " + event.deploymentId() + " failed", t);
                    }
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            // The recorded jobs are worked off by several "instances" at once, racing this one's own worker.
            CountDownLatch race = new CountDownLatch(1);
            List<Future<?>> chunks = new ArrayList<>();
            for (int i = 0; i < events.size(); i++) {
                chunks.add(pool.submit(() -> {
                    race.await();
                    Integer moved;
                    do {
                        try {
                            moved = VertxContextSupport.subscribeAndAwait(() -> worker.oneChunk());
                        } catch (Throwable t) {
                            throw new IllegalStateException("a concurrent chunk failed", t);
                        }
                    } while (moved >= 0);
                    return null;
                }));
            }
            race.countDown();
            for (Future<?> f : chunks) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
