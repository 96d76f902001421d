package io.benchline.webhooks.messaging;

import io.benchline.common.notify.PgNotifications;
import io.benchline.common.outbox.Outbox;
import io.benchline.events.DeploymentRequested;
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
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay is woken by the commit itself: with the scheduler off there is no poll, so only the notification the
 * appending transaction sends can get these rows out, and a wake-up keeps passing while passes come back full.
 */
@QuarkusTest
@TestProfile(OutboxWakeUpTest.NoPolling.class)
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = Fixtures.DATABASE), @ResourceArg(name = "kafka", value = "true")})
@QuarkusTestResource(FakeDeploymentService.class)
class OutboxWakeUpTest {

    public static class NoPolling implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.scheduler.enabled", "false", "benchline.outbox.batch-size", "2");
        }
    }

    @Inject
    Outbox outbox;

    @Inject
    PgNotifications notifications;

    private static DeploymentRequested push(String deliveryId) {
        return new DeploymentRequested("github", deliveryId, "hk_wake", FakeDeploymentService.ORG,
                new DeploymentRequested.Repository("Acme/Wake", "https://github.com/Acme/Wake.git",
                        "git@github.com:Acme/Wake.git", "https://github.com/Acme/Wake"),
                "refs/heads/main", "branch", "main", "a10867b14bb761a232cd80139fbd4c0d33264240",
                "199eddf46df50de8d02e99bf1c5fdb4101338224", "199eddf46df50de8d02e99bf1c5fdb4101338224", null, false,
                false, false, "octocat", 1);
    }

    private static EventEnvelope envelope(String delivery) {
        return EventCodec.envelope(EventTypes.DEPLOYMENT_REQUESTED, "/webhook-service", delivery, push(delivery));
    }

    @Test
    void aCommitWakesTheRelayAndItPassesUntilTheOutboxIsEmpty() throws Throwable {
        String single = UUID.randomUUID().toString();
        List<String> batch = new ArrayList<>();
        List<Outbox.Entry> entries = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String delivery = UUID.randomUUID().toString();
            batch.add(delivery);
            entries.add(new Outbox.Entry(Topics.DEPLOYMENT_REQUESTED, "acme/wake-" + i, "delivery", envelope(delivery)));
        }

        // Notifications sent before the LISTEN connection is up are not heard (the poll covers that in production).
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!notifications.connected() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(notifications.connected()).as("listening for notifications").isTrue();
        VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> outbox.append(
                Topics.DEPLOYMENT_REQUESTED, "acme/wake", "delivery", envelope(single))));
        VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> outbox.appendAll(entries)));

        // Five rows at two per pass: one wake-up has to pass three times.
        assertThat(Fixtures.eventsOf(single, rs -> !rs.isEmpty(), Duration.ofSeconds(30))).hasSize(1);
        for (String delivery : batch) {
            assertThat(Fixtures.eventsOf(delivery, rs -> !rs.isEmpty(), Duration.ofSeconds(30))).as(delivery)
                    .hasSize(1);
        }
        assertThat(Fixtures.count("select count(*) from outbox where message_key like 'acme/wake%'")).isZero();
    }
}
