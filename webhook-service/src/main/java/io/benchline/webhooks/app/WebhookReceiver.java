package io.benchline.webhooks.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.common.api.ProblemException;
import io.benchline.events.DeploymentRequested;
import io.benchline.webhooks.model.Hook;
import io.benchline.webhooks.store.HookDirectory;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The webhook use cases: authenticate a delivery against its hook's secret, normalize it, and hand pushes to
 * {@link GroupCommit}, which records them with {@link DeliveryIntake}. Nothing here talks to Kafka, so an answer never
 * waits on the broker.
 */
@ApplicationScoped
public class WebhookReceiver {
    static final Set<String> GITHUB_EVENTS = Set.of("push", "ping", "create", "delete");
    static final Set<String> GITLAB_EVENTS = Set.of("Push Hook", "Tag Push Hook", "System Hook");
    /** Provider delivery ids are GUIDs; a longer value is not one and would bloat the dedup key. */
    static final int MAX_DELIVERY_ID_LENGTH = 200;

    private final HookDirectory hooks;
    private final GroupCommit intake;

    public WebhookReceiver(HookDirectory hooks, GroupCommit intake) {
        this.hooks = hooks;
        this.intake = intake;
    }

    public Uni<Receipt> github(GitHubDelivery delivery) {
        String event = delivery.event();
        if (event == null || !GITHUB_EVENTS.contains(event.trim())) {
            return Uni.createFrom().failure(unknownEvent("X-GitHub-Event", event, "push, ping, create, delete"));
        }
        return verified(delivery.hookId(), hook -> Signatures.verifyGitHub(delivery.body(), hook.secret(),
                delivery.signature256(), delivery.signature1())).chain(hook -> switch (event.trim()) {
                    case "ping" -> Uni.createFrom().item(Receipt.of(Receipt.Kind.PONG));
                    // push covers branch and tag creation and deletion; create/delete would only duplicate it.
                    case "create", "delete" -> Uni.createFrom().item(Receipt.of(Receipt.Kind.IGNORED));
                    default -> githubPush(delivery, hook);
                });
    }

    private Uni<Receipt> githubPush(GitHubDelivery delivery, Hook hook) {
        String deliveryId = deliveryId(delivery.deliveryId(), "X-GitHub-Delivery");
        JsonNode body = PayloadReader.read(delivery.contentType(), delivery.body(), true);
        return record(GitHubPushNormalizer.normalize(body, deliveryId, hook.hookId(), hook.orgId()));
    }

    public Uni<Receipt> gitlab(GitLabDelivery delivery) {
        String event = delivery.event();
        if (event == null || !GITLAB_EVENTS.contains(event.trim())) {
            return Uni.createFrom().failure(unknownEvent("X-Gitlab-Event", event, "Push Hook, Tag Push Hook, System Hook"));
        }
        return verified(delivery.hookId(), hook -> Signatures.verifyGitLab(delivery.token(), hook.secret()))
                .chain(hook -> gitlabPush(delivery, event.trim(), hook));
    }

    private Uni<Receipt> gitlabPush(GitLabDelivery delivery, String event, Hook hook) {
        String idempotencyKey = blankToNull(delivery.idempotencyKey());
        String deliveryId = deliveryId(idempotencyKey != null ? idempotencyKey : delivery.eventUuid(),
                "Idempotency-Key or X-Gitlab-Event-UUID");
        JsonNode body = PayloadReader.read(delivery.contentType(), delivery.body(), false);
        if (event.equals("System Hook") && !GitLabPushNormalizer.isPushShaped(body)) {
            return Uni.createFrom().item(Receipt.of(Receipt.Kind.IGNORED));
        }
        return record(GitLabPushNormalizer.normalize(body, deliveryId, hook.hookId(), hook.orgId()));
    }

    /**
     * The hook, once the delivery's signature matches its secret. A mismatch with a cached secret is checked once more
     * against the secret deployment-service has now: after a rotation the provider signs with the new one at once.
     */
    private Uni<Hook> verified(String hookId, Consumer<Hook> verify) {
        return hooks.find(hookId).chain(hook -> {
            try {
                verify.accept(hook);
                return Uni.createFrom().item(hook);
            } catch (ProblemException refused) {
                if (refused.status() != 401) {
                    throw refused;
                }
                return hooks.refreshed(hook).map(fresh -> {
                    if (fresh == null || fresh.equals(hook)) {
                        throw refused;
                    }
                    verify.accept(fresh);
                    return fresh;
                });
            }
        });
    }

    private Uni<Receipt> record(Optional<DeploymentRequested> push) {
        // Refs other than branches and tags (notes, pull refs) carry nothing to deploy.
        return push.map(intake::accept).orElseGet(() -> Uni.createFrom().item(Receipt.of(Receipt.Kind.IGNORED)));
    }

    private static String deliveryId(String value, String header) {
        String id = blankToNull(value);
        if (id == null) {
            throw ProblemException.invalid(header, "missing: the delivery id is needed to recognize redeliveries");
        }
        if (id.length() > MAX_DELIVERY_ID_LENGTH) {
            throw ProblemException.invalid(header, "longer than " + MAX_DELIVERY_ID_LENGTH + " characters");
        }
        return id;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static ProblemException unknownEvent(String header, String event, String known) {
        String detail = event == null || event.isBlank()
                ? header + " header is missing"
                : header + " '" + Payloads.abbreviate(event) + "' is not handled here";
        return new ProblemException(400, "unknown-event", "Unknown webhook event", detail + "; expected one of: " + known);
    }
}
