package io.benchline.webhooks.app;

/** One GitLab delivery as received: the headers that matter and the exact body bytes. */
public record GitLabDelivery(String hookId, String event, String token, String idempotencyKey, String eventUuid,
        String contentType, byte[] body) {
}
