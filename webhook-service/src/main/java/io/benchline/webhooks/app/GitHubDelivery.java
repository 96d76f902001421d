package io.benchline.webhooks.app;

/** One GitHub delivery as received: the headers that matter and the exact body bytes. */
public record GitHubDelivery(String hookId, String event, String deliveryId, String contentType,
        String signature256, String signature1, byte[] body) {
}
