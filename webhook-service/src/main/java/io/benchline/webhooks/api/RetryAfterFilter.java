package io.benchline.webhooks.api;

import io.benchline.webhooks.app.WebhooksConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * A 503 on a webhook path (deployment-service could not tell us the hook's secret) says when to try again:
 * {@code Retry-After} in seconds ({@code benchline.webhooks.retry-after}). Nothing was recorded, so a redelivery of
 * the same delivery id is then accepted normally.
 */
public class RetryAfterFilter {
    private final WebhooksConfig config;

    public RetryAfterFilter(WebhooksConfig config) {
        this.config = config;
    }

    @ServerResponseFilter
    public void retryAfter(ContainerRequestContext request, ContainerResponseContext response) {
        if (response.getStatus() == 503 && request.getUriInfo().getPath().startsWith(WebhookResource.PATH + "/")
                && !response.getHeaders().containsKey("Retry-After")) {
            response.getHeaders().putSingle("Retry-After", String.valueOf(Math.max(1, config.retryAfter().toSeconds())));
        }
    }
}
