package io.benchline.webhooks.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The body of every successful webhook answer: {@code accepted} (with the event id), duplicate, pong or ignored. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WebhookResponse(String status, String eventId) {
}
