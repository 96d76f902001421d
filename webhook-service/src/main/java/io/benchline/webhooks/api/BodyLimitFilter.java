package io.benchline.webhooks.api;

import io.benchline.common.api.ProblemException;
import io.benchline.common.api.ProblemMapper;
import io.benchline.webhooks.app.WebhooksConfig;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses an oversized webhook from its Content-Length before a byte of the body is buffered (request filters
 * run before Quarkus REST reads the body). Chunked bodies are cut at {@code quarkus.http.limits.max-body-size},
 * which application.properties ties to the same limit.
 */
public class BodyLimitFilter {
    private final WebhooksConfig config;

    public BodyLimitFilter(WebhooksConfig config) {
        this.config = config;
    }

    @ServerRequestFilter
    public Response limit(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith(WebhookResource.PATH + "/")) {
            return null;
        }
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return null;
        }
        long bytes;
        try {
            bytes = Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return ProblemMapper.respond(ProblemException.invalid("Content-Length", "is not a number").toProblem(path));
        }
        long max = config.maxBodySize().asLongValue();
        if (bytes > max) {
            return ProblemMapper.respond(ProblemException.tooLarge(WebhookResource.tooLargeDetail(bytes, max))
                    .toProblem(path));
        }
        return null;
    }
}
