package io.benchline.webhooks.messaging;

import io.benchline.common.outbox.Outbox;
import io.benchline.common.outbox.OutboxRelay;
import io.benchline.events.DeploymentRequested;
import io.benchline.events.EventCodec;
import io.benchline.events.EventEnvelope;
import io.benchline.events.EventTypes;
import io.benchline.events.Topics;
import io.benchline.testsupport.BenchlineInfra;
import io.benchline.webhooks.FakeDeploymentService;
import io.benchline.webhooks.Fixtures;
import io.benchline.webhooks.api.GitHubWebhookTestSupport;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Invariant 8 for webhooks: an accepted delivery always reaches Kafka. The scheduler is off here, so nothing is sent
 * unless the test runs the relay: what a 202 leaves behind is exactly what a restarted service would find.
 */
@QuarkusTest
@TestProfile(OutboxKillSafetyTest.RelayByHand.class)
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = Fixtures.DATABASE), @ResourceArg(name = "kafka", value = "true")})
@QuarkusTestResource(FakeDeploymentService.class)
class OutboxKillSafetyTest {

    /** No scheduled or woken relay: the outbox is drained only by {@link OutboxRelay#relayOnce()} calls in the tests. */
    public static class RelayByHand implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.scheduler.enabled", "false", "benchline.outbox.listen", "false",
                    "benchline.outbox.max-attempts", "3");
        }
    }

    @Inject
    Outbox outbox;

    @Inject
    OutboxRelay relay;

    @Inject
    io.benchline.common.outbox.ProcessedEventsPruner pruner;

    static DeploymentRequested push(String deliveryId) {
        return new DeploymentRequested("github", deliveryId, "hk_relay", FakeDeploymentService.ORG,
                new DeploymentRequested.Repository("Acme/Fixture-Tests", "https://github.com/Acme/Fixture-Tests.git",
                        "git@github.com:Acme/Fixture-Tests.git", "https://github.com/Acme/Fixture-Tests"),
                "refs/heads/main", "branch", "main", "a10867b14bb761a232cd80139fbd4c0d33264240",
                "199eddf46df50de8d02e99bf1c5fdb4101338224", "199eddf46df50de8d02e99bf1c5fdb4101338224", null, false,
                false, false, "octocat", 1);
    }

    private int relayUntilEmpty() {
        int sent = 0;
        for (int i = 0; i < 10 && Fixtures.count("select count(*) from outbox") > 0; i++) {
            sent += await(() -> relay.relayOnce());
        }
        return sent;
    }

    private static <T> T await(java.util.function.Supplier<Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(work);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Test
    void theRelaySendsACommittedOutboxRowAndDeletesIt() {
        relayUntilEmpty();
        String delivery = UUID.randomUUID().toString();
        EventEnvelope envelope = EventCodec.envelope(EventTypes.DEPLOYMENT_REQUESTED, "/webhook-service", delivery,
                push(delivery));
        await(() -> Panache.withTransaction(() -> outbox.append(Topics.DEPLOYMENT_REQUESTED, "acme/fixture-tests",
                "delivery", envelope)));
        assertThat(Fixtures.count("select count(*) from outbox where id = ?", envelope.id())).isEqualTo(1);

        int sent = await(() -> relay.relayOnce());

        assertThat(sent).isEqualTo(1);
        assertThat(Fixtures.count("select count(*) from outbox where id = ?", envelope.id())).isZero();
        ConsumerRecord<String, String> record = Fixtures.theOnlyEventOf(delivery);
        assertThat(record.key()).isEqualTo("acme/fixture-tests");
        assertThat(Fixtures.checkedData(record)).isEqualTo(push(delivery));
        assertThat(EventCodec.parse(record.value()).id()).isEqualTo(envelope.id());
    }

    @Test
    void aRowTheBrokerRefusesIsMovedAsideAndHoldsBackOnlyItsOwnKey() {
        relayUntilEmpty();
        String poisonDelivery = UUID.randomUUID().toString();
        String sameKeyDelivery = UUID.randomUUID().toString();
        String otherKeyDelivery = UUID.randomUUID().toString();
        DeploymentRequested normal = push(poisonDelivery);
        // Larger than the producer's max.request.size (1 MiB): the broker can never take it.
        DeploymentRequested huge = new DeploymentRequested(normal.provider(), normal.deliveryId(), normal.hookId(),
                normal.orgId(), new DeploymentRequested.Repository("x".repeat(2_000_000),
                        normal.repository().cloneUrl(), normal.repository().sshUrl(), normal.repository().htmlUrl()),
                normal.ref(), normal.refType(), normal.refName(), normal.before(), normal.after(), normal.commitSha(),
                normal.headCommit(), normal.created(), normal.deleted(), normal.forced(), normal.pusher(),
                normal.commitCount());
        EventEnvelope poison = EventCodec.envelope(EventTypes.DEPLOYMENT_REQUESTED, "/webhook-service", poisonDelivery,
                huge);
        EventEnvelope sameKey = EventCodec.envelope(EventTypes.DEPLOYMENT_REQUESTED, "/webhook-service",
                sameKeyDelivery, push(sameKeyDelivery));
        EventEnvelope otherKey = EventCodec.envelope(EventTypes.DEPLOYMENT_REQUESTED, "/webhook-service",
                otherKeyDelivery, push(otherKeyDelivery));
        await(() -> Panache.withTransaction(() -> outbox.append(Topics.DEPLOYMENT_REQUESTED, "acme/poisoned", "delivery",
                        poison)
                .chain(() -> outbox.append(Topics.DEPLOYMENT_REQUESTED, "acme/poisoned", "delivery", sameKey))
                .chain(() -> outbox.append(Topics.DEPLOYMENT_REQUESTED, "acme/healthy", "delivery", otherKey))));

        // The other key goes out; the refused row and the row behind it on its key stay, in order.
        assertThat(await(() -> relay.relayOnce())).isEqualTo(1);
        assertThat(Fixtures.count("select count(*) from outbox where id in (?, ?)", poison.id(), sameKey.id()))
                .isEqualTo(2);
        assertThat(Fixtures.eventsOf(otherKeyDelivery, rs -> !rs.isEmpty(), java.time.Duration.ofSeconds(30)))
                .hasSize(1);
        assertThat(Fixtures.eventsOf(sameKeyDelivery, rs -> !rs.isEmpty(), java.time.Duration.ofSeconds(2)))
                .as("the row behind the refused one on its key").isEmpty();

        // The third refusal moves it aside with the broker's reason, and the row behind it follows.
        assertThat(await(() -> relay.relayOnce())).isZero();
        assertThat(await(() -> relay.relayOnce())).isZero();
        assertThat(Fixtures.count("select count(*) from outbox where id = ?", poison.id())).isZero();
        assertThat(Fixtures.count("select count(*) from outbox_failed where id = ? and error like '%RecordTooLarge%'",
                poison.id())).isEqualTo(1);
        assertThat(await(() -> relay.relayOnce())).isEqualTo(1);
        assertThat(EventCodec.parse(Fixtures.theOnlyEventOf(sameKeyDelivery).value()).id()).isEqualTo(sameKey.id());
    }

    @Test
    void onlyTheInstanceHoldingTheRelayLockRelays() throws Exception {
        relayUntilEmpty();
        String delivery = UUID.randomUUID().toString();
        EventEnvelope envelope = EventCodec.envelope(EventTypes.DEPLOYMENT_REQUESTED, "/webhook-service", delivery,
                push(delivery));
        // Another "instance" holds the relay lock: a session of its own, as a second relay would.
        try (java.sql.Connection other = java.sql.DriverManager.getConnection(
                io.benchline.testsupport.BenchlineInfra.jdbcUrl(Fixtures.DATABASE),
                io.benchline.testsupport.BenchlineInfra.dbUser(), io.benchline.testsupport.BenchlineInfra.dbPassword())) {
            // This instance may hold it from earlier passes: wait until its lock connection lets go (it is the one
            // relaying now), which never happens while it is healthy, so take the lock from a fresh database start of
            // the relay instead: close the relay's connection by terminating its backend.
            try (var st = other.createStatement()) {
                st.execute("select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory'"
                        + " and pid <> pg_backend_pid() and database = (select oid from pg_database"
                        + " where datname = current_database())");
            }
            boolean taken = false;
            for (int i = 0; i < 100 && !taken; i++) {
                try (var st = other.createStatement();
                        var rs = st.executeQuery(io.benchline.common.outbox.RelayLeadership.LOCK_SQL)) {
                    rs.next();
                    taken = rs.getBoolean(1);
                }
                if (!taken) {
                    Thread.sleep(100);
                }
            }
            assertThat(taken).as("the test took the relay lock").isTrue();
            await(() -> Panache.withTransaction(() -> outbox.append(Topics.DEPLOYMENT_REQUESTED, "acme/fixture-tests",
                    "delivery", envelope)));

            assertThat(await(() -> relay.relayOnce())).isZero();
            assertThat(await(() -> relay.relayOnce())).isZero();
            assertThat(Fixtures.count("select count(*) from outbox where id = ?", envelope.id())).isEqualTo(1);
        }
        // The other instance is gone (its session closed, the lock with it): this one takes over.
        assertThat(relayUntilEmpty()).isPositive();
        assertThat(EventCodec.parse(Fixtures.theOnlyEventOf(delivery).value()).id()).isEqualTo(envelope.id());
    }

    @Test
    void anOperatorListsAndReplaysARefusedEvent() {
        relayUntilEmpty();
        String delivery = UUID.randomUUID().toString();
        EventEnvelope envelope = EventCodec.envelope(EventTypes.DEPLOYMENT_REQUESTED, "/webhook-service", delivery,
                push(delivery));
        await(() -> Panache.withTransaction(() -> outbox.append(Topics.DEPLOYMENT_REQUESTED, "acme/replayed",
                        "delivery", envelope)
                .chain(() -> Panache.getSession().chain(s -> s.createNativeQuery("""
                        with moved as (delete from outbox where id = ?1 returning *)
                        insert into outbox_failed (id, aggregate_type, aggregate_id, type, topic, message_key,
                            occurred_at, payload, failed_at, error)
                        select id, aggregate_type, aggregate_id, type, topic, message_key, occurred_at, payload, now(),
                            'RecordTooLargeException (the broker limit was raised since)' from moved""")
                        .setParameter(1, envelope.id()).executeUpdate()))));
        var internal = io.restassured.RestAssured.given().header("X-Benchline-Internal-Token",
                io.benchline.testsupport.BenchlineInfra.INTERNAL_TOKEN);
        internal.get("/internal/v1/outbox/failed").then().statusCode(200)
                .body("data.id", org.hamcrest.Matchers.hasItem(envelope.id()));
        io.restassured.RestAssured.get("/internal/v1/outbox/failed").then().statusCode(401);
        internal.post("/internal/v1/outbox/failed/" + envelope.id() + "/replay").then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("queued"));
        internal.post("/internal/v1/outbox/failed/" + envelope.id() + "/replay").then().statusCode(404)
                .contentType("application/problem+json");
        // The replay woke the relay itself; a pass by hand covers a wake-up that found another pass running.
        relayUntilEmpty();
        assertThat(EventCodec.parse(Fixtures.theOnlyEventOf(delivery).value()).id()).isEqualTo(envelope.id());
        assertThat(Fixtures.count("select count(*) from outbox_failed where id = ?", envelope.id())).isZero();
    }

    @Test
    void processedEventIdsOlderThanTheRetentionArePruned() {
        String old = "evt_old_" + UUID.randomUUID();
        String recent = "evt_recent_" + UUID.randomUUID();
        await(() -> Panache.withTransaction(() -> Panache.getSession().chain(s -> s.createNativeQuery("""
                        insert into processed_events (event_id, consumer, processed_at) values
                            (?1, 'test', now() - interval '30 days'), (?2, 'test', now() - interval '1 day')""")
                .setParameter(1, old).setParameter(2, recent).executeUpdate())));
        assertThat(await(() -> pruner.prune())).isPositive();
        assertThat(Fixtures.count("select count(*) from processed_events where event_id = ?", old)).isZero();
        assertThat(Fixtures.count("select count(*) from processed_events where event_id = ?", recent)).isEqualTo(1);
    }

    @Test
    void aRolledBackTransactionLeavesNoOutboxRow() {
        String delivery = UUID.randomUUID().toString();
        EventEnvelope envelope = EventCodec.envelope(EventTypes.DEPLOYMENT_REQUESTED, "/webhook-service", delivery,
                push(delivery));
        assertThatThrownBy(() -> await(() -> Panache.withTransaction(() -> outbox.append(Topics.DEPLOYMENT_REQUESTED,
                        "acme/fixture-tests", "delivery", envelope)
                .chain(() -> Uni.createFrom().failure(new IllegalStateException("crash after the append"))))))
                .hasRootCauseMessage("crash after the append");
        assertThat(Fixtures.count("select count(*) from outbox where id = ?", envelope.id())).isZero();
    }

    @Test
    void anAcceptedDeliveryIsDurableBeforeItIsSent() throws Exception {
        relayUntilEmpty();
        String delivery = UUID.randomUUID().toString();
        String eventId = GitHubWebhookTestSupport.sendPush(delivery);

        // The 202 was answered; with no relay running this is what a crash right now would leave behind:
        // the dedup row and the outbox row with the same event, both committed.
        Thread.sleep(1_500);
        assertThat(Fixtures.count("select count(*) from deliveries where delivery_id = ? and event_id = ?", delivery,
                eventId)).isEqualTo(1);
        assertThat(Fixtures.count("select count(*) from outbox where id = ? and topic = ? and message_key = ?", eventId,
                Topics.DEPLOYMENT_REQUESTED, "codertocat/hello-world")).isEqualTo(1);

        // ... and the relay of the restarted service publishes it.
        assertThat(relayUntilEmpty()).isEqualTo(1);
        ConsumerRecord<String, String> record = Fixtures.theOnlyEventOf(delivery);
        assertThat(EventCodec.parse(record.value()).id()).isEqualTo(eventId);
    }
}
