package io.benchline.webhooks.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.benchline.common.api.Problem;
import io.benchline.common.api.ProblemException;
import io.benchline.events.EventCodec;
import io.benchline.webhooks.app.WebhooksConfig;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Refuses an oversized webhook from its Content-Length before a byte of the body is read, with a problem body.
 * It is a Vert.x route filter, not a Quarkus REST request filter: {@code quarkus.http.limits.max-body-size}
 * (tied to the same limit in application.properties) is enforced by a Vert.x handler that runs before Quarkus REST
 * and answers a bare 413 without a body; this filter runs before that handler. Bodies sent without Content-Length
 * (chunked) are cut by that HTTP limit and get its bare 413.
 */
@ApplicationScoped
public class BodyLimitFilter {
    /** Route order is minus the priority: this runs before the HTTP layer's upload limit (order -2). */
    static final int PRIORITY = 100;

    void register(@Observes Filters filters, WebhooksConfig config) {
        filters.register(rc -> limit(rc, config.maxBodySize().asLongValue()), PRIORITY);
    }

    static void limit(RoutingContext rc, long max) {
        String path = rc.normalizedPath();
        String length = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (path == null || !path.startsWith(WebhookResource.PATH + "/") || length == null) {
            rc.next();
            return;
        }
        long bytes;
        try {
            bytes = Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            reject(rc, ProblemException.invalid("Content-Length", "is not a number").toProblem(path));
            return;
        }
        if (bytes > max) {
            reject(rc, ProblemException.tooLarge(WebhookResource.tooLargeDetail(bytes, max)).toProblem(path));
            return;
        }
        rc.next();
    }

    private static void reject(RoutingContext rc, Problem problem) {
        String json;
        try {
            json = EventCodec.mapper().writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            json = "{\"status\":" + problem.status() + "}";
        }
        // The unread body stays on the connection: close it after the answer.
        rc.response().setStatusCode(problem.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(json);
    }
}
