package io.benchline.webhooks.api;

import io.benchline.events.DeploymentRequested;
import io.benchline.testsupport.BenchlineInfra;
import io.benchline.webhooks.FakeDeploymentService;
import io.benchline.webhooks.Fixtures;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.benchline.webhooks.FakeDeploymentService.GITHUB_HOOK;
import static io.benchline.webhooks.FakeDeploymentService.ORG;
import static io.benchline.webhooks.FakeDeploymentService.SECRET;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/** GitHub deliveries end to end: real fixtures byte for byte, real PostgreSQL and Kafka, a fake deployment-service. */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = Fixtures.DATABASE), @ResourceArg(name = "kafka", value = "true")})
@QuarkusTestResource(FakeDeploymentService.class)
class GitHubWebhookTest {
    static final String PUSH = "github/goscm-push.json";
    static final String PROBLEM_JSON = "application/problem+json";

    /** The request GitHub would send for this fixture (headers as in the fixtures' manifest.json). */
    static RequestSpecification github(String event, String deliveryId, byte[] body) {
        return given()
                .header("Content-Type", "application/json")
                .header("User-Agent", "GitHub-Hookshot/044aadd")
                .header("X-GitHub-Event", event)
                .header("X-GitHub-Delivery", deliveryId)
                .header("X-GitHub-Hook-ID", "123456")
                .header("X-GitHub-Hook-Installation-Target-Type", "repository")
                .header("X-GitHub-Hook-Installation-Target-ID", "186853002")
                .body(body);
    }

    static RequestSpecification signed(String event, String deliveryId, byte[] body) {
        return github(event, deliveryId, body)
                .header("X-Hub-Signature-256", Fixtures.sha256(SECRET, body))
                .header("X-Hub-Signature", Fixtures.sha1(SECRET, body));
    }

    static String newDelivery() {
        return UUID.randomUUID().toString();
    }

    @Test
    void theFixtureSignaturesAreTheOnesTheReadmePublishes() {
        // signature-vectors.json -> derived_github_fixture_signatures: guards against a fixture copy that is not byte-exact
        byte[] body = Fixtures.bytes(PUSH);
        var vector = vector("goscm-push.json");
        assertThat(body).hasSize(vector.path("bytes").asInt());
        assertThat(Fixtures.sha256(SECRET, body)).isEqualTo(vector.path("X-Hub-Signature-256").asText());
        assertThat(Fixtures.sha1(SECRET, body)).isEqualTo(vector.path("X-Hub-Signature").asText());
    }

    private static com.fasterxml.jackson.databind.JsonNode vector(String file) {
        try {
            var tree = io.benchline.events.EventCodec.mapper().readTree(Fixtures.bytes("signature-vectors.json"));
            assertThat(tree.path("derived_github_fixture_signatures").path("secret").asText()).isEqualTo(SECRET);
            return tree.path("derived_github_fixture_signatures").path("files").path(file);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aPushIsAcceptedAndPublishedOnce() {
        String delivery = newDelivery();
        byte[] body = Fixtures.bytes(PUSH);

        Response response = signed("push", delivery, body).post("/webhooks/github/" + GITHUB_HOOK);
        response.then().statusCode(202).body("status", equalTo("accepted")).body("event_id", startsWith("evt"));
        String eventId = response.path("event_id");

        ConsumerRecord<String, String> record = Fixtures.theOnlyEventOf(delivery);
        assertThat(record.key()).isEqualTo("codertocat/hello-world");
        DeploymentRequested data = Fixtures.checkedData(record);
        assertThat(io.benchline.events.EventCodec.parse(record.value()).id()).isEqualTo(eventId);
        assertThat(data.provider()).isEqualTo("github");
        assertThat(data.deliveryId()).isEqualTo(delivery);
        assertThat(data.hookId()).isEqualTo(GITHUB_HOOK);
        assertThat(data.orgId()).isEqualTo(ORG);
        assertThat(data.repository().fullName()).isEqualTo("Codertocat/Hello-World");
        assertThat(data.repository().cloneUrl()).isEqualTo("https://github.com/Codertocat/Hello-World.git");
        assertThat(data.repository().sshUrl()).isEqualTo("git@github.com:Codertocat/Hello-World.git");
        assertThat(data.repository().htmlUrl()).isEqualTo("https://github.com/Codertocat/Hello-World");
        assertThat(data.ref()).isEqualTo("refs/heads/master");
        assertThat(data.refType()).isEqualTo("branch");
        assertThat(data.refName()).isEqualTo("master");
        assertThat(data.before()).isEqualTo("a10867b14bb761a232cd80139fbd4c0d33264240");
        assertThat(data.after()).isEqualTo("199eddf46df50de8d02e99bf1c5fdb4101338224");
        assertThat(data.commitSha()).isEqualTo("199eddf46df50de8d02e99bf1c5fdb4101338224");
        assertThat(data.headCommit().sha()).isEqualTo(data.commitSha());
        assertThat(data.headCommit().branch()).isEqualTo("master");
        assertThat(data.deleted()).isFalse();
        assertThat(data.forced()).isFalse();

        // committed together: the dedup row names the event that reached Kafka
        assertThat(Fixtures.count("select count(*) from deliveries where provider = 'github' and delivery_id = ?"
                + " and hook_id = ? and org_id = ? and event_id = ?", delivery, GITHUB_HOOK, ORG, eventId)).isEqualTo(1);
    }

    @Test
    void aRedeliveryIsADuplicateAndPublishesNothingNew() {
        String delivery = newDelivery();
        byte[] body = Fixtures.bytes(PUSH);
        signed("push", delivery, body).post("/webhooks/github/" + GITHUB_HOOK).then().statusCode(202);

        signed("push", delivery, body).post("/webhooks/github/" + GITHUB_HOOK)
                .then().statusCode(200).body("status", equalTo("duplicate"));

        Fixtures.theOnlyEventOf(delivery);
        assertThat(Fixtures.count("select count(*) from deliveries where delivery_id = ?", delivery)).isEqualTo(1);
    }

    @Test
    void oneEventDeliveredToTwoHooksIsAcceptedOncePerHook() {
        // GitHub sends one X-GitHub-Delivery to every hook subscribed to the event (fixtures README): two
        // procedures of two organizations on one repository must both hear about the push.
        String delivery = newDelivery();
        byte[] body = Fixtures.bytes(PUSH);
        signed("push", delivery, body).post("/webhooks/github/" + GITHUB_HOOK).then().statusCode(202);
        signed("push", delivery, body).post("/webhooks/github/" + FakeDeploymentService.OTHER_ORG_HOOK)
                .then().statusCode(202);
        signed("push", delivery, body).post("/webhooks/github/" + FakeDeploymentService.OTHER_ORG_HOOK)
                .then().statusCode(200).body("status", equalTo("duplicate"));

        Fixtures.eventsOf(delivery, rs -> rs.size() >= 2, java.time.Duration.ofSeconds(30));
        List<ConsumerRecord<String, String>> events = Fixtures.allEventsOf(delivery);
        assertThat(events).hasSize(2);
        assertThat(events).extracting(r -> Fixtures.checkedData(r).hookId())
                .containsExactlyInAnyOrder(GITHUB_HOOK, FakeDeploymentService.OTHER_ORG_HOOK);
        assertThat(events).extracting(r -> Fixtures.checkedData(r).orgId())
                .containsExactlyInAnyOrder(ORG, FakeDeploymentService.OTHER_ORG);
    }

    @Test
    void concurrentDuplicatesPublishExactlyOnce() throws Exception {
        String delivery = newDelivery();
        byte[] body = Fixtures.bytes("github/slack-push-11-commits-pr-merge-app.json");
        int parallel = 8;
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < parallel; i++) {
                answers.add(pool.submit(() -> {
                    start.await();
                    return signed("push", delivery, body).post("/webhooks/github/" + GITHUB_HOOK).statusCode();
                }));
            }
            start.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> answer : answers) {
                statuses.add(answer.get());
            }
            assertThat(statuses).filteredOn(s -> s == 202).hasSize(1);
            assertThat(statuses).filteredOn(s -> s == 200).hasSize(parallel - 1);
        } finally {
            pool.shutdownNow();
        }
        ConsumerRecord<String, String> record = Fixtures.theOnlyEventOf(delivery);
        assertThat(record.key()).isEqualTo("github-slack/app");
        DeploymentRequested data = Fixtures.checkedData(record);
        assertThat(data.commitCount()).isEqualTo(11);
        assertThat(data.commitSha()).isEqualTo("c8517a6aa42a568bc1a0be1febc1e1c819932ba6");
    }

    @Test
    void aTagPushCarriesTheTaggedCommit() {
        String delivery = newDelivery();
        signed("push", delivery, Fixtures.bytes("github/goscm-push-tag.json")).post("/webhooks/github/" + GITHUB_HOOK)
                .then().statusCode(202);
        DeploymentRequested data = Fixtures.checkedData(Fixtures.theOnlyEventOf(delivery));
        assertThat(data.refType()).isEqualTo("tag");
        assertThat(data.refName()).isEqualTo("v0.0.1");
        assertThat(data.created()).isTrue();
        assertThat(data.commitSha()).isEqualTo("d2b75aa7797ec26b088fa2dd527e9d2c052fcedd");
        assertThat(data.headCommit().branch()).isNull();
    }

    @Test
    void aBranchDeletionIsPublishedWithoutACommit() {
        String delivery = newDelivery();
        signed("push", delivery, Fixtures.bytes("github/goscm-push-branch-delete.json"))
                .post("/webhooks/github/" + GITHUB_HOOK).then().statusCode(202);
        DeploymentRequested data = Fixtures.checkedData(Fixtures.theOnlyEventOf(delivery));
        assertThat(data.deleted()).isTrue();
        assertThat(data.commitSha()).isNull();
        assertThat(data.headCommit()).isNull();
        assertThat(data.after()).isEqualTo("0000000000000000000000000000000000000000");
    }

    @Test
    void theLegacySha1SignatureIsAcceptedWhenSha256IsAbsent() {
        String delivery = newDelivery();
        byte[] body = Fixtures.bytes("github/goplayground-push.json");
        github("push", delivery, body).header("X-Hub-Signature", Fixtures.sha1(SECRET, body))
                .post("/webhooks/github/" + GITHUB_HOOK).then().statusCode(202);
        Fixtures.theOnlyEventOf(delivery);
    }

    @Test
    void aBadSignatureIs401AndPublishesNothing() {
        String delivery = newDelivery();
        byte[] body = Fixtures.bytes(PUSH);
        github("push", delivery, body).header("X-Hub-Signature-256", Fixtures.sha256("not the secret", body))
                .post("/webhooks/github/" + GITHUB_HOOK)
                .then().statusCode(401).contentType(PROBLEM_JSON).body("status", equalTo(401))
                .body("type", equalTo("https://benchline.io/problems/unauthorized"));

        // one changed byte (the signature covers the exact bytes, not the JSON value)
        byte[] changed = Arrays.copyOf(body, body.length + 1);
        changed[body.length] = '\n';
        github("push", delivery, changed).header("X-Hub-Signature-256", Fixtures.sha256(SECRET, body))
                .post("/webhooks/github/" + GITHUB_HOOK).then().statusCode(401).contentType(PROBLEM_JSON);

        // a valid sha1 does not rescue a wrong sha256
        github("push", delivery, body).header("X-Hub-Signature-256", Fixtures.sha256("not the secret", body))
                .header("X-Hub-Signature", Fixtures.sha1(SECRET, body))
                .post("/webhooks/github/" + GITHUB_HOOK).then().statusCode(401).contentType(PROBLEM_JSON);

        github("push", delivery, body).header("X-Hub-Signature-256", "sha256=zz")
                .post("/webhooks/github/" + GITHUB_HOOK).then().statusCode(401).contentType(PROBLEM_JSON);

        assertThat(Fixtures.count("select count(*) from deliveries where delivery_id = ?", delivery)).isZero();
        Fixtures.assertNoEventOf(delivery);
    }

    @Test
    void aRotatedSecretVerifiesAtOnceAndTheOldOneStopsOnceTheNewOneIsSeen() {
        String hook = "hk_rotating_" + UUID.randomUUID().toString().replace("-", "");
        FakeDeploymentService.SECRETS.put(hook, "the first secret");
        byte[] body = Fixtures.bytes(PUSH);
        withSecret("the first secret", newDelivery(), body).post("/webhooks/github/" + hook).then().statusCode(202);

        // Rotated at deployment-service: this instance still has the first secret cached.
        FakeDeploymentService.SECRETS.put(hook, "the second secret");
        int lookups = FakeDeploymentService.LOOKUPS.get();
        withSecret("the second secret", newDelivery(), body).post("/webhooks/github/" + hook).then().statusCode(202);
        assertThat(FakeDeploymentService.LOOKUPS.get()).as("the refused cached secret was asked for again")
                .isEqualTo(lookups + 1);

        // The old secret is refused from now on, and refusals do not ask again within the refresh interval.
        String old = newDelivery();
        for (int i = 0; i < 5; i++) {
            withSecret("the first secret", old, body).post("/webhooks/github/" + hook).then().statusCode(401)
                    .contentType(PROBLEM_JSON);
        }
        assertThat(FakeDeploymentService.LOOKUPS.get()).as("a flood of bad signatures asks no more")
                .isEqualTo(lookups + 1);
        assertThat(Fixtures.count("select count(*) from deliveries where delivery_id = ?", old)).isZero();
    }

    private static RequestSpecification withSecret(String secret, String deliveryId, byte[] body) {
        return github("push", deliveryId, body).header("X-Hub-Signature-256", Fixtures.sha256(secret, body));
    }

    @Test
    void aMissingSignatureIs401() {
        String delivery = newDelivery();
        github("push", delivery, Fixtures.bytes(PUSH)).post("/webhooks/github/" + GITHUB_HOOK)
                .then().statusCode(401).contentType(PROBLEM_JSON).body("detail", startsWith("missing signature"));
        assertThat(Fixtures.count("select count(*) from deliveries where delivery_id = ?", delivery)).isZero();
    }

    @Test
    void anUnknownHookIs404() {
        signed("push", newDelivery(), Fixtures.bytes(PUSH)).post("/webhooks/github/hk_does_not_exist")
                .then().statusCode(404).contentType(PROBLEM_JSON).body("status", equalTo(404));
    }

    @Test
    void anUnknownOrMissingEventIs400() {
        byte[] body = Fixtures.bytes("github/octokit-ping.json");
        signed("issues", newDelivery(), body).post("/webhooks/github/" + GITHUB_HOOK)
                .then().statusCode(400).contentType(PROBLEM_JSON)
                .body("type", equalTo("https://benchline.io/problems/unknown-event"));
        given().header("Content-Type", "application/json").header("X-Hub-Signature-256", Fixtures.sha256(SECRET, body))
                .body(body).post("/webhooks/github/" + GITHUB_HOOK)
                .then().statusCode(400).contentType(PROBLEM_JSON);
    }

    @Test
    void aPingIsAnsweredAndPublishesNothing() {
        String delivery = newDelivery();
        signed("ping", delivery, Fixtures.bytes("github/octokit-ping.json")).post("/webhooks/github/" + GITHUB_HOOK)
                .then().statusCode(200).body("status", equalTo("pong"));
        // ping is authenticated too
        byte[] body = Fixtures.bytes("github/octokit-ping.json");
        github("ping", delivery, body).header("X-Hub-Signature-256", Fixtures.sha256("wrong", body))
                .post("/webhooks/github/" + GITHUB_HOOK).then().statusCode(401);
        assertThat(Fixtures.count("select count(*) from deliveries where delivery_id = ?", delivery)).isZero();
        Fixtures.assertNoEventOf(delivery);
    }

    @Test
    void createAndDeleteEventsAreIgnoredBecausePushCoversThem() {
        String delivery = newDelivery();
        signed("create", delivery, Fixtures.bytes("github/goscm-create-branch.json"))
                .post("/webhooks/github/" + GITHUB_HOOK).then().statusCode(200).body("status", equalTo("ignored"));
        Fixtures.assertNoEventOf(delivery);
    }

    @Test
    void aBodyOverTheLimitIs413() {
        // the test profile sets benchline.webhooks.max-body-size=64K
        byte[] big = new byte[64 * 1024 + 1];
        Arrays.fill(big, (byte) ' ');
        big[0] = '{';
        big[big.length - 1] = '}';
        String delivery = newDelivery();
        signed("push", delivery, big).post("/webhooks/github/" + GITHUB_HOOK)
                .then().statusCode(413).contentType(PROBLEM_JSON).body("status", equalTo(413));

        // exactly at the limit is still read (and then fails on its content, not its size)
        byte[] atLimit = Arrays.copyOf(big, 64 * 1024);
        atLimit[atLimit.length - 1] = '}';
        signed("push", delivery, atLimit).post("/webhooks/github/" + GITHUB_HOOK)
                .then().statusCode(400).contentType(PROBLEM_JSON);
    }

    @Test
    void getIs405() {
        RestAssured.get("/webhooks/github/" + GITHUB_HOOK)
                .then().statusCode(405).contentType(PROBLEM_JSON).body("status", equalTo(405));
        RestAssured.get("/webhooks/gitlab/" + GITHUB_HOOK).then().statusCode(405);
    }

    @Test
    void aNonJsonBodyWithAValidSignatureIs400() {
        byte[] body = "not json".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        signed("push", newDelivery(), body).post("/webhooks/github/" + GITHUB_HOOK)
                .then().statusCode(400).contentType(PROBLEM_JSON);
    }

    @Test
    void aPushWithoutDeliveryIdIs400() {
        byte[] body = Fixtures.bytes(PUSH);
        given().header("Content-Type", "application/json").header("X-GitHub-Event", "push")
                .header("X-Hub-Signature-256", Fixtures.sha256(SECRET, body)).body(body)
                .post("/webhooks/github/" + GITHUB_HOOK).then().statusCode(400).contentType(PROBLEM_JSON);
    }
}
