package io.benchline.webhooks.api;

import io.benchline.common.api.ProblemException;
import io.benchline.webhooks.app.GitHubDelivery;
import io.benchline.webhooks.app.GitLabDelivery;
import io.benchline.webhooks.app.Receipt;
import io.benchline.webhooks.app.WebhookReceiver;
import io.benchline.webhooks.app.WebhooksConfig;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Push webhooks from GitHub and GitLab. The body is taken as raw bytes because signatures cover the exact bytes;
 * it is never re-serialized. Other methods on these paths answer 405 (Quarkus REST, mapped by ProblemMapper).
 */
@Path(WebhookResource.PATH)
@Produces(MediaType.APPLICATION_JSON)
public class WebhookResource {
    static final String PATH = "/webhooks";

    private final WebhookReceiver receiver;
    private final WebhooksConfig config;

    public WebhookResource(WebhookReceiver receiver, WebhooksConfig config) {
        this.receiver = receiver;
        this.config = config;
    }

    @POST
    @Path("/github/{hook_id}")
    public Uni<Response> github(@PathParam("hook_id") String hookId, HttpHeaders headers, byte[] body) {
        byte[] bytes = withinLimit(body);
        return receiver.github(new GitHubDelivery(hookId, headers.getHeaderString("X-GitHub-Event"),
                        headers.getHeaderString("X-GitHub-Delivery"), headers.getHeaderString(HttpHeaders.CONTENT_TYPE),
                        headers.getHeaderString("X-Hub-Signature-256"), headers.getHeaderString("X-Hub-Signature"), bytes))
                .map(WebhookResource::toResponse);
    }

    @POST
    @Path("/gitlab/{hook_id}")
    public Uni<Response> gitlab(@PathParam("hook_id") String hookId, HttpHeaders headers, byte[] body) {
        byte[] bytes = withinLimit(body);
        return receiver.gitlab(new GitLabDelivery(hookId, headers.getHeaderString("X-Gitlab-Event"),
                        headers.getHeaderString("X-Gitlab-Token"), headers.getHeaderString("Idempotency-Key"),
                        headers.getHeaderString("X-Gitlab-Event-UUID"), headers.getHeaderString(HttpHeaders.CONTENT_TYPE),
                        bytes))
                .map(WebhookResource::toResponse);
    }

    /** Backstop for bodies that came without Content-Length when the HTTP layer's limit is set higher. */
    private byte[] withinLimit(byte[] body) {
        byte[] bytes = body == null ? new byte[0] : body;
        long max = config.maxBodySize().asLongValue();
        if (bytes.length > max) {
            throw ProblemException.tooLarge(tooLargeDetail(bytes.length, max));
        }
        return bytes;
    }

    static String tooLargeDetail(long bytes, long max) {
        return "webhook body of " + bytes + " bytes exceeds the limit of " + max + " bytes";
    }

    private static Response toResponse(Receipt receipt) {
        return switch (receipt.kind()) {
            case ACCEPTED -> Response.accepted(new WebhookResponse("accepted", receipt.eventId())).build();
            case DUPLICATE -> Response.ok(new WebhookResponse("duplicate", null)).build();
            case PONG -> Response.ok(new WebhookResponse("pong", null)).build();
            case IGNORED -> Response.ok(new WebhookResponse("ignored", null)).build();
        };
    }
}
