package io.benchline.webhooks.app;

import io.benchline.events.DeploymentRequested;
import io.benchline.events.EventCodec;
import io.benchline.events.Topics;
import io.benchline.testsupport.KafkaTestClient;
import io.benchline.testsupport.BenchlineInfra;
import io.benchline.webhooks.FakeDeploymentService;
import io.benchline.webhooks.Fixtures;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Group commit of the intake against the real PostgreSQL and Kafka: pushes that share a transaction are recorded
 * and published exactly as if each had its own, duplicates inside one transaction are caught, and a transaction that
 * fails stores none of its pushes (so none was acknowledged).
 */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = Fixtures.DATABASE), @ResourceArg(name = "kafka", value = "true")})
@QuarkusTestResource(FakeDeploymentService.class)
class GroupCommitTest {

    @Inject
    GroupCommit groupCommit;

    @Inject
    DeliveryIntake intake;

    @Inject
    WebhooksConfig config;

    @Inject
    Vertx vertx;

    static DeploymentRequested push(String deliveryId, String orgId) {
        return new DeploymentRequested("github", deliveryId, "hk_group", orgId,
                new DeploymentRequested.Repository("Acme/Group", "https://github.com/Acme/Group.git",
                        "git@github.com:Acme/Group.git", "https://github.com/Acme/Group"),
                "refs/heads/main", "branch", "main", "a10867b14bb761a232cd80139fbd4c0d33264240",
                "199eddf46df50de8d02e99bf1c5fdb4101338224", "199eddf46df50de8d02e99bf1c5fdb4101338224", null, false,
                false, false, "octocat", 1);
    }

    /**
     * Subscribes to every accept in one event-loop task, so all are queued before any transaction can finish; returns
     * each push's outcome once all have one.
     */
    private List<CompletableFuture<Receipt>> acceptAtOnce(List<DeploymentRequested> pushes) throws Exception {
        CompletableFuture<List<CompletableFuture<Receipt>>> all = new CompletableFuture<>();
        vertx.runOnContext(v -> {
            List<CompletableFuture<Receipt>> each = new ArrayList<>();
            for (DeploymentRequested p : pushes) {
                CompletableFuture<Receipt> one = new CompletableFuture<>();
                groupCommit.accept(p).subscribe().with(one::complete, one::completeExceptionally);
                each.add(one);
            }
            CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).handle((ok, failure) -> all.complete(each));
        });
        return all.get(60, TimeUnit.SECONDS);
    }

    @Test
    void pushesThatArriveWhileTransactionsAreOpenShareTheNextOne() throws Exception {
        int slots = config.intakeTransactions();
        int count = slots + Math.min(config.intakeBatchSize(), 10);
        List<DeploymentRequested> pushes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            pushes.add(push(UUID.randomUUID().toString(), FakeDeploymentService.ORG));
        }

        List<Receipt> receipts = acceptAtOnce(pushes).stream().map(CompletableFuture::join).toList();

        assertThat(receipts).extracting(Receipt::kind).containsOnly(Receipt.Kind.ACCEPTED);
        List<String> ids = pushes.stream().map(DeploymentRequested::deliveryId).toList();
        String in = "('" + String.join("','", ids) + "')";
        assertThat(Fixtures.count("select count(*) from deliveries where delivery_id in " + in)).isEqualTo(count);
        // Rows written by one transaction carry its id (xmin): the first pushes took a slot each, the rest waited
        // for a slot and then went together.
        assertThat(Fixtures.count("select count(distinct xmin::text) from deliveries where delivery_id in " + in))
                .isEqualTo(slots + 1);
        Fixtures.awaitOutboxEmpty();
        List<String> published = KafkaTestClient.readUntil(Topics.DEPLOYMENT_REQUESTED,
                        rs -> rs.stream().map(r -> EventCodec.parse(r.value()).subject()).toList().containsAll(ids),
                        Duration.ofSeconds(30))
                .stream().map(r -> EventCodec.parse(r.value()).subject()).filter(ids::contains).toList();
        assertThat(published).as("one deployment.requested per push").containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void aRedeliveryInsideTheSameTransactionIsADuplicate() throws Throwable {
        String twice = UUID.randomUUID().toString();
        String once = UUID.randomUUID().toString();
        List<Receipt> receipts = VertxContextSupport.subscribeAndAwait(() -> intake.acceptAll(List.of(
                push(twice, FakeDeploymentService.ORG), push(once, FakeDeploymentService.ORG),
                push(twice, FakeDeploymentService.ORG))));

        assertThat(receipts).extracting(Receipt::kind).containsExactly(Receipt.Kind.ACCEPTED, Receipt.Kind.ACCEPTED,
                Receipt.Kind.DUPLICATE);
        assertThat(Fixtures.count("select count(*) from deliveries where delivery_id = ?", twice)).isEqualTo(1);
        assertThat(Fixtures.theOnlyEventOf(twice)).isNotNull();
        assertThat(Fixtures.theOnlyEventOf(once)).isNotNull();
    }

    @Test
    void aFailedTransactionStoresNoneOfItsPushesAndFailsThemAll() throws Exception {
        String good = UUID.randomUUID().toString();
        String bad = UUID.randomUUID().toString();
        int slots = config.intakeTransactions();
        // Fill every slot, so the good and the bad push (org_id null: the insert fails) share the next transaction.
        List<DeploymentRequested> pushes = new ArrayList<>();
        for (int i = 0; i < slots; i++) {
            pushes.add(push(UUID.randomUUID().toString(), FakeDeploymentService.ORG));
        }
        pushes.add(push(good, FakeDeploymentService.ORG));
        pushes.add(push(bad, null));

        List<CompletableFuture<Receipt>> outcomes = acceptAtOnce(pushes);

        for (int i = 0; i < slots; i++) {
            assertThat(outcomes.get(i).join().kind()).isEqualTo(Receipt.Kind.ACCEPTED);
        }
        assertThat(outcomes.get(slots)).as("the good push in the failed transaction").isCompletedExceptionally();
        assertThat(outcomes.get(slots + 1)).as("the bad push").isCompletedExceptionally();

        assertThat(Fixtures.count("select count(*) from deliveries where delivery_id in (?, ?)", good, bad)).isZero();
        Fixtures.assertNoEventOf(good);
    }

    @Test
    void aPushBeyondTheQueueLimitIsAnswered503AtOnceAndStoresNothing() throws Exception {
        int waiting = config.intakeTransactions() + config.intakeQueueLimit();
        List<DeploymentRequested> pushes = new ArrayList<>();
        for (int i = 0; i < waiting + 1; i++) {
            pushes.add(push(UUID.randomUUID().toString(), FakeDeploymentService.ORG));
        }

        List<CompletableFuture<Receipt>> outcomes = acceptAtOnce(pushes);

        for (int i = 0; i < waiting; i++) {
            assertThat(outcomes.get(i).join().kind()).isEqualTo(Receipt.Kind.ACCEPTED);
        }
        CompletableFuture<Receipt> refused = outcomes.get(waiting);
        assertThat(refused).isCompletedExceptionally();
        assertThatThrownBy(refused::join).hasCauseInstanceOf(io.benchline.common.api.ProblemException.class)
                .cause().extracting(f -> ((io.benchline.common.api.ProblemException) f).status()).isEqualTo(503);
        String last = pushes.get(waiting).deliveryId();
        assertThat(Fixtures.count("select count(*) from deliveries where delivery_id = ?", last)).isZero();
    }
}
