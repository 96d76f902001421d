package io.benchline.webhooks.api;

import io.benchline.testsupport.BenchlineInfra;
import io.benchline.webhooks.FakeDeploymentService;
import io.benchline.webhooks.Fixtures;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.benchline.webhooks.FakeDeploymentService.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.notNullValue;

/**
 * When deployment-service cannot say whether a hook exists the delivery is not accepted: 503 problem with
 * Retry-After, so the provider records a failed delivery that can be redelivered, never a 500 and never a 2xx.
 */
@QuarkusTest
@QuarkusTestResource(value = BenchlineInfra.class, initArgs = {
        @ResourceArg(name = "database", value = Fixtures.DATABASE), @ResourceArg(name = "kafka", value = "true")})
@QuarkusTestResource(FakeDeploymentService.class)
class HookLookupFailureTest {

    @Test
    void aFailingLookupIs503WithRetryAfter() {
        String delivery = UUID.randomUUID().toString();
        byte[] body = Fixtures.bytes(GitHubWebhookTest.PUSH);
        GitHubWebhookTest.signed("push", delivery, body)
                .post("/webhooks/github/" + FakeDeploymentService.FAILING_PREFIX + "1")
                .then().statusCode(503).contentType("application/problem+json")
                .header("Retry-After", notNullValue())
                .body("status", equalTo(503))
                .body("type", equalTo("https://benchline.io/problems/unavailable"));
        assertThat(Fixtures.count("select count(*) from deliveries where delivery_id = ?", delivery)).isZero();
    }

    @Test
    void aSlowLookupIs503WithinTheBudget() {
        // hook-lookup-timeout is 700ms; the fake answers after 3s
        String delivery = UUID.randomUUID().toString();
        GitHubWebhookTest.signed("push", delivery, Fixtures.bytes(GitHubWebhookTest.PUSH))
                .post("/webhooks/github/" + FakeDeploymentService.SLOW_PREFIX + UUID.randomUUID())
                .then().statusCode(503).contentType("application/problem+json")
                .header("Retry-After", notNullValue())
                .time(lessThan(2_500L));
        assertThat(Fixtures.count("select count(*) from deliveries where delivery_id = ?", delivery)).isZero();
    }

    @Test
    void aGitLabDeliveryGetsTheSameAnswer() {
        GitLabWebhookTest.gitlab("Push Hook", UUID.randomUUID().toString(), UUID.randomUUID().toString(),
                        Fixtures.bytes("gitlab/docs-push-hook.json"))
                .header("X-Gitlab-Token", SECRET)
                .post("/webhooks/gitlab/" + FakeDeploymentService.FAILING_PREFIX + "2")
                .then().statusCode(503).contentType("application/problem+json").header("Retry-After", notNullValue());
    }

    @Test
    void aKnownHookIsServedFromTheCacheWithoutAnotherLookup() {
        byte[] body = Fixtures.bytes("github/octokit-ping.json");
        GitHubWebhookTest.signed("ping", UUID.randomUUID().toString(), body)
                .post("/webhooks/github/" + FakeDeploymentService.GITHUB_HOOK).then().statusCode(200);
        int lookups = FakeDeploymentService.LOOKUPS.get();
        GitHubWebhookTest.signed("ping", UUID.randomUUID().toString(), body)
                .post("/webhooks/github/" + FakeDeploymentService.GITHUB_HOOK).then().statusCode(200);
        assertThat(FakeDeploymentService.LOOKUPS.get()).isEqualTo(lookups);
    }
}
