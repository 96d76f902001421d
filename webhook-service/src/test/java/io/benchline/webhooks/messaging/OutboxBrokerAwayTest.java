package io.benchline.webhooks.messaging;

import io.benchline.common.outbox.Outbox;
import io.benchline.common.outbox.OutboxRelay;
import io.benchline.events.EventCodec;
import io.benchline.events.EventEnvelope;
import io.benchline.events.EventTypes;
import io.benchline.events.Topics;
import io.benchline.testsupport.BenchlineInfra;
import io.benchline.webhooks.FakeDeploymentService;
import io.benchline.webhooks.Fixtures;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A broker that cannot be reached is a transient failure: the relay keeps the rows, counts nothing toward
 * {@code max-attempts} (so nothing reaches {@code outbox_failed} however long it lasts) and backs off.
 */
@QuarkusTest
@TestProfile(OutboxBrokerAwayTest.BrokerAway.class)
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = Fixtures.DATABASE), @ResourceArg(name = "kafka", value = "true")})
@QuarkusTestResource(FakeDeploymentService.class)
class OutboxBrokerAwayTest {

    /** The relay's producer points at a port where no broker listens; the rest of the service uses the real one. */
    public static class BrokerAway implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.scheduler.enabled", "false", "benchline.outbox.listen", "false",
                    "benchline.outbox.max-attempts", "2", "benchline.outbox.bootstrap-servers", "127.0.0.1:1",
                    "benchline.outbox.max-block", "300ms", "benchline.outbox.request-timeout", "300ms",
                    "benchline.outbox.delivery-timeout", "600ms");
        }
    }

    @Inject
    Outbox outbox;

    @Inject
    OutboxRelay relay;

    private static <T> T await(java.util.function.Supplier<Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(work);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Test
    void rowsWaitForTheBrokerWithoutEverBeingMovedAside() {
        String delivery = java.util.UUID.randomUUID().toString();
        EventEnvelope envelope = EventCodec.envelope(EventTypes.DEPLOYMENT_REQUESTED, "/webhook-service", delivery,
                OutboxKillSafetyTest.push(delivery));
        await(() -> Panache.withTransaction(() -> outbox.append(Topics.DEPLOYMENT_REQUESTED, "acme/away", "delivery",
                envelope)));

        for (int pass = 0; pass < 5; pass++) {
            assertThat(await(() -> relay.relayOnce())).as("pass %d", pass).isZero();
        }

        assertThat(relay.backingOff()).isTrue();
        assertThat(Fixtures.count("select count(*) from outbox where id = ?", envelope.id())).isEqualTo(1);
        assertThat(Fixtures.count("select count(*) from outbox_failed where id = ?", envelope.id())).isZero();
    }
}
