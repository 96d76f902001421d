package io.benchline.webhooks.api;

import io.benchline.events.DeploymentRequested;
import io.benchline.testsupport.BenchlineInfra;
import io.benchline.webhooks.FakeDeploymentService;
import io.benchline.webhooks.Fixtures;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.benchline.webhooks.FakeDeploymentService.GITLAB_HOOK;
import static io.benchline.webhooks.FakeDeploymentService.ORG;
import static io.benchline.webhooks.FakeDeploymentService.SECRET;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/** GitLab deliveries end to end with the public fixtures; the token is the hook secret in plain text. */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = Fixtures.DATABASE), @ResourceArg(name = "kafka", value = "true")})
@QuarkusTestResource(FakeDeploymentService.class)
class GitLabWebhookTest {
    static final String PROBLEM_JSON = "application/problem+json";

    /** Headers as GitLab 18 sends them (fixtures manifest.json), with a fresh Idempotency-Key. */
    static RequestSpecification gitlab(String event, String idempotencyKey, String eventUuid, byte[] body) {
        RequestSpecification spec = given()
                .header("Content-Type", "application/json")
                .header("User-Agent", "GitLab/18.9.0")
                .header("X-Gitlab-Event", event)
                .header("X-Gitlab-Instance", "https://gitlab.example.com")
                .header("X-Gitlab-Webhook-UUID", "02affd2d-2cba-4033-917d-ec22d5dc4b38")
                .header("X-Gitlab-Event-UUID", eventUuid)
                .body(body);
        return idempotencyKey == null ? spec : spec.header("Idempotency-Key", idempotencyKey);
    }

    static String id() {
        return UUID.randomUUID().toString();
    }

    @Test
    void aPushHookIsAcceptedAndPublished() {
        String key = id();
        gitlab("Push Hook", key, id(), Fixtures.bytes("gitlab/docs-push-hook.json")).header("X-Gitlab-Token", SECRET)
                .post("/webhooks/gitlab/" + GITLAB_HOOK)
                .then().statusCode(202).body("status", equalTo("accepted"));

        ConsumerRecord<String, String> record = Fixtures.theOnlyEventOf(key);
        assertThat(record.key()).isEqualTo("mike/diaspora");
        DeploymentRequested data = Fixtures.checkedData(record);
        assertThat(data.provider()).isEqualTo("gitlab");
        assertThat(data.deliveryId()).isEqualTo(key);
        assertThat(data.hookId()).isEqualTo(GITLAB_HOOK);
        assertThat(data.orgId()).isEqualTo(ORG);
        assertThat(data.repository().fullName()).isEqualTo("mike/diaspora");
        assertThat(data.repository().cloneUrl()).isEqualTo("http://example.com/mike/diaspora.git");
        assertThat(data.repository().sshUrl()).isEqualTo("git@example.com:mike/diaspora.git");
        assertThat(data.repository().htmlUrl()).isEqualTo("http://example.com/mike/diaspora");
        assertThat(data.ref()).isEqualTo("refs/heads/master");
        assertThat(data.refType()).isEqualTo("branch");
        assertThat(data.commitSha()).isEqualTo("da1560886d4f094c3e6c9ef40349f7d38b5d27d7");
        assertThat(data.headCommit().sha()).isEqualTo(data.commitSha());
        assertThat(data.headCommit().branch()).isEqualTo("master");
        assertThat(data.commitCount()).isEqualTo(4); // total_commits_count, not the 2 listed
        assertThat(Fixtures.count("select count(*) from deliveries where provider = 'gitlab' and delivery_id = ?", key))
                .isEqualTo(1);

        // a resend keeps the Idempotency-Key
        gitlab("Push Hook", key, id(), Fixtures.bytes("gitlab/docs-push-hook.json")).header("X-Gitlab-Token", SECRET)
                .post("/webhooks/gitlab/" + GITLAB_HOOK)
                .then().statusCode(200).body("status", equalTo("duplicate"));
        Fixtures.theOnlyEventOf(key);
    }

    @Test
    void withoutIdempotencyKeyTheEventUuidIsTheDeliveryId() {
        String uuid = id();
        gitlab("Push Hook", null, uuid, Fixtures.bytes("gitlab/goscm-push.json")).header("X-Gitlab-Token", SECRET)
                .post("/webhooks/gitlab/" + GITLAB_HOOK).then().statusCode(202);
        assertThat(Fixtures.checkedData(Fixtures.theOnlyEventOf(uuid)).deliveryId()).isEqualTo(uuid);
    }

    @Test
    void aWrongOrMissingTokenIs401AndPublishesNothing() {
        String key = id();
        byte[] body = Fixtures.bytes("gitlab/docs-push-hook.json");
        gitlab("Push Hook", key, id(), body).header("X-Gitlab-Token", SECRET + "x")
                .post("/webhooks/gitlab/" + GITLAB_HOOK)
                .then().statusCode(401).contentType(PROBLEM_JSON).body("status", equalTo(401));
        gitlab("Push Hook", key, id(), body).post("/webhooks/gitlab/" + GITLAB_HOOK)
                .then().statusCode(401).contentType(PROBLEM_JSON);
        assertThat(Fixtures.count("select count(*) from deliveries where delivery_id = ?", key)).isZero();
        Fixtures.assertNoEventOf(key);
    }

    @Test
    void aTagPushHookCarriesTheTagAndItsCommit() {
        String key = id();
        gitlab("Tag Push Hook", key, id(), Fixtures.bytes("gitlab/docs-tag-push-hook.json"))
                .header("X-Gitlab-Token", SECRET).post("/webhooks/gitlab/" + GITLAB_HOOK)
                .then().statusCode(202);
        ConsumerRecord<String, String> record = Fixtures.theOnlyEventOf(key);
        assertThat(record.key()).isEqualTo("jsmith/example");
        DeploymentRequested data = Fixtures.checkedData(record);
        assertThat(data.ref()).isEqualTo("refs/tags/v1.0.0");
        assertThat(data.refType()).isEqualTo("tag");
        assertThat(data.refName()).isEqualTo("v1.0.0");
        assertThat(data.created()).isTrue();
        assertThat(data.deleted()).isFalse();
        assertThat(data.commitSha()).isEqualTo("82b3d5ae55f7080f1e6022629cdb57bfae7cccc7");
        assertThat(data.headCommit().branch()).isNull();
    }

    @Test
    void anAnnotatedTagInASystemHookUsesCheckoutShaNotTheTagObject() {
        String key = id();
        gitlab("System Hook", key, id(), Fixtures.bytes("gitlab/goplayground-system-tag-event.json"))
                .header("X-Gitlab-Token", SECRET).post("/webhooks/gitlab/" + GITLAB_HOOK)
                .then().statusCode(202);
        DeploymentRequested data = Fixtures.checkedData(Fixtures.theOnlyEventOf(key));
        assertThat(data.after()).isEqualTo("82b3d5ae55f7080f1e6022629cdb57bfae7cccc7");
        assertThat(data.commitSha()).isEqualTo("5937ac0a7beb003549fc5fd26fc247adbce4a52e");
    }

    @Test
    void aSystemHookPushWithoutObjectKindIsAPush() {
        String key = id();
        gitlab("System Hook", key, id(), Fixtures.bytes("gitlab/goplayground-system-push-event.json"))
                .header("X-Gitlab-Token", SECRET).post("/webhooks/gitlab/" + GITLAB_HOOK)
                .then().statusCode(202);
        assertThat(Fixtures.checkedData(Fixtures.theOnlyEventOf(key)).refType()).isEqualTo("branch");
    }

    @Test
    void aTagDeletionIsPublishedWithoutACommit() {
        String key = id();
        gitlab("Tag Push Hook", key, id(), Fixtures.bytes("gitlab/goscm-tag-delete.json"))
                .header("X-Gitlab-Token", SECRET).post("/webhooks/gitlab/" + GITLAB_HOOK)
                .then().statusCode(202);
        DeploymentRequested data = Fixtures.checkedData(Fixtures.theOnlyEventOf(key));
        assertThat(data.deleted()).isTrue();
        assertThat(data.commitSha()).isNull();
    }

    @Test
    void anUnknownEventIs400() {
        gitlab("Merge Request Hook", id(), id(), Fixtures.bytes("gitlab/docs-push-hook.json"))
                .header("X-Gitlab-Token", SECRET).post("/webhooks/gitlab/" + GITLAB_HOOK)
                .then().statusCode(400).contentType(PROBLEM_JSON);
    }

    @Test
    void anUnknownHookIs404() {
        gitlab("Push Hook", id(), id(), Fixtures.bytes("gitlab/docs-push-hook.json"))
                .header("X-Gitlab-Token", SECRET).post("/webhooks/gitlab/hk_unknown")
                .then().statusCode(404).contentType(PROBLEM_JSON);
    }
}
