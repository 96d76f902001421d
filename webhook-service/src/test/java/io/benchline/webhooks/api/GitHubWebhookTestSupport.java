package io.benchline.webhooks.api;

import io.benchline.webhooks.FakeDeploymentService;
import io.benchline.webhooks.Fixtures;

/** Lets tests in other packages send the standard GitHub push fixture. */
public final class GitHubWebhookTestSupport {
    private GitHubWebhookTestSupport() {
    }

    /** Sends the push fixture with a valid signature, expects 202, returns the event id. */
    public static String sendPush(String deliveryId) {
        return GitHubWebhookTest.signed("push", deliveryId, Fixtures.bytes(GitHubWebhookTest.PUSH))
                .post("/webhooks/github/" + FakeDeploymentService.GITHUB_HOOK)
                .then().statusCode(202).extract().path("event_id");
    }
}
