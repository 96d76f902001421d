package io.benchline.stations;

import io.benchline.events.DeploymentEvent;
import io.benchline.events.EventCodec;
import io.benchline.events.EventEnvelope;
import io.benchline.events.EventIds;
import io.benchline.events.EventTypes;
import io.benchline.events.Topics;
import io.benchline.stations.TestSupport.CreatedStation;
import io.benchline.testsupport.BenchlineInfra;
import io.benchline.testsupport.KafkaTestClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.benchline.stations.TestSupport.awaitPointerAt;
import static io.benchline.stations.TestSupport.awaitProcessed;
import static io.benchline.stations.TestSupport.createStation;
import static io.benchline.stations.TestSupport.link;
import static io.benchline.stations.TestSupport.newProcedure;
import static io.benchline.stations.TestSupport.ready;
import static io.benchline.stations.TestSupport.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A record that parses but can never be handled is retried only for the configured bound, then goes to the
 * dead-letter topic with its reason, and the record behind it on the same partition is handled.
 */
@QuarkusTest
@TestProfile(PoisonRecordTest.ShortHold.class)
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = TestSupport.DATABASE),
        @ResourceArg(name = "kafka", value = "true")})
@QuarkusTestResource(FakePeers.class)
class PoisonRecordTest {
    static final String DEAD_LETTERS = "dead-letter-topic-" + Topics.DEPLOYMENT_EVENTS;

    public static class ShortHold implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("benchline.dispatcher.handler-max-hold", "3s", "benchline.dispatcher.handler-timeout", "1s");
        }
    }

    @Inject
    MeterRegistry registry;

    @Test
    void aRecordThatKeepsFailingGoesToTheDeadLetterTopicAndTheNextOneIsHandled() {
        CreatedStation station = createStation();
        String procedure = newProcedure();
        link(station.id(), procedure, "production", null);
        String key = EventIds.withPrefix("dep");
        // PostgreSQL refuses text with a NUL character: this event is well-formed JSON and passes validation,
        // yet every attempt to store it fails.
        DeploymentEvent poison = new DeploymentEvent(DeploymentEvent.READY, key, FakePeers.ORG_ID,
                procedure + "\u0000", 1, "production", "auto", "ready", null,
                "0123456789abcdef0123456789abcdef01234567", true, TestSupport.artifact());
        EventEnvelope poisonEnvelope = EventCodec.envelope(EventTypes.DEPLOYMENT_LIFECYCLE, "/deployment-service",
                key, poison);
        double before = deadLetters();
        TestSupport.send(poisonEnvelope);
        // Same key, so the same partition, right behind the poison record.
        DeploymentEvent next = ready(procedure, key, 1, "production", null);
        EventEnvelope nextEnvelope = EventCodec.envelope(EventTypes.DEPLOYMENT_LIFECYCLE, "/deployment-service",
                key, next);
        TestSupport.send(nextEnvelope);

        awaitProcessed(nextEnvelope.id());
        awaitPointerAt(station.id(), procedure, key);

        List<ConsumerRecord<String, String>> dead = KafkaTestClient.readUntil(DEAD_LETTERS,
                rs -> rs.stream().anyMatch(r -> r.value().contains(poisonEnvelope.id())), Duration.ofSeconds(60));
        ConsumerRecord<String, String> letter = dead.stream().filter(r -> r.value().contains(poisonEnvelope.id()))
                .findFirst().orElseThrow(() -> new AssertionError("poison record not on " + DEAD_LETTERS));
        assertThat(letter.key()).isEqualTo(key);
        assertThat(KafkaTestClient.header(letter, "dead-letter-reason")).isNotBlank();
        assertThat(TestSupport.count("select count(*) from processed_events where event_id = ?",
                poisonEnvelope.id())).isZero();
        assertThat(deadLetters()).isGreaterThan(before);
    }

    private double deadLetters() {
        var counter = registry.find("benchline.dead.letters").tag("channel", "deployment-events").counter();
        return counter == null ? 0 : counter.count();
    }
}
