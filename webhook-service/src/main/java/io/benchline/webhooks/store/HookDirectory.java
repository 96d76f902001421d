package io.benchline.webhooks.store;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.common.api.ProblemException;
import io.benchline.common.auth.AuthConfig;
import io.benchline.events.EventCodec;
import io.benchline.webhooks.app.ServicesConfig;
import io.benchline.webhooks.app.WebhooksConfig;
import io.benchline.webhooks.model.Hook;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Finds a hook's organization and secret at deployment-service and keeps the answer for
 * {@code benchline.webhooks.secret-cache-ttl}, so a burst of deliveries costs one lookup.
 * Unknown hooks are not cached: a hook created a second ago must work at once. A signature that does not match a
 * cached secret asks again through {@link #refreshed} (a rotated secret works at once, not after the cache's TTL).
 */
@ApplicationScoped
public class HookDirectory {
    private static final Logger LOG = Logger.getLogger(HookDirectory.class);
    /** Hook ids are short generated ids; anything longer is not one and is not sent to the peer. */
    static final int MAX_HOOK_ID_LENGTH = 128;

    private final WebhooksConfig config;
    private final ServicesConfig services;
    private final AuthConfig auth;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private volatile HooksApi api;

    public HookDirectory(WebhooksConfig config, ServicesConfig services, AuthConfig auth) {
        this.config = config;
        this.services = services;
        this.auth = auth;
    }

    /** The hook; fails with a 404 problem for an unknown hook and 503 when deployment-service cannot answer. */
    public Uni<Hook> find(String hookId) {
        if (hookId == null || hookId.isBlank() || hookId.length() > MAX_HOOK_ID_LENGTH) {
            return Uni.createFrom().failure(ProblemException.notFound("webhook", String.valueOf(hookId)));
        }
        Cached cached = cache.get(hookId);
        if (cached != null) {
            if (cached.expiresAt - System.nanoTime() > 0) {
                return Uni.createFrom().item(cached.hook);
            }
            cache.remove(hookId, cached);
        }
        return lookup(hookId, null);
    }

    /**
     * The hook as deployment-service has it now, for a delivery that the secret of {@code stale} refused; null when
     * this hook was already asked again less than {@code secret-refresh-interval} ago: a flood of bad signatures
     * costs at most one lookup per interval.
     */
    public Uni<Hook> refreshed(Hook stale) {
        String hookId = stale.hookId();
        Cached cached = cache.get(hookId);
        if (cached != null && !cached.hook.equals(stale)) {
            return Uni.createFrom().item(cached.hook); // another delivery refreshed it meanwhile
        }
        long now = System.nanoTime();
        if (cached != null && cached.refreshedAt != null
                && now - cached.refreshedAt < config.secretRefreshInterval().toNanos()) {
            return Uni.createFrom().nullItem();
        }
        if (cached != null && !cache.replace(hookId, cached, new Cached(cached.hook, cached.expiresAt, now))) {
            return Uni.createFrom().nullItem(); // a concurrent refusal is asking right now
        }
        return lookup(hookId, now);
    }

    private Uni<Hook> lookup(String hookId, Long refreshedAt) {
        return api().find(hookId, auth.internalToken())
                .ifNoItem().after(config.hookLookupTimeout()).fail()
                .map(response -> fromResponse(hookId, response))
                // The REST client turns 4xx/5xx answers into exceptions. Map them with a Uni (not recoverWithItem):
                // a ProblemException thrown inside recoverWithItem would arrive wrapped in a CompositeException and
                // turn "unknown hook" (404) into "unavailable" (503).
                .onFailure(WebApplicationException.class)
                .recoverWithUni(f -> Uni.createFrom().item(
                        () -> fromResponse(hookId, ((WebApplicationException) f).getResponse())))
                .onFailure(f -> !(f instanceof ProblemException)).transform(f -> {
                    LOG.warnf("hook lookup of %s at deployment-service failed: %s", hookId, f.toString());
                    return ProblemException.unavailable(
                            "cannot look up the webhook now: deployment-service is unreachable; retry later");
                })
                .invoke(hook -> cache.put(hookId, new Cached(hook,
                        System.nanoTime() + config.secretCacheTtl().toNanos(), refreshedAt)));
    }

    /** Drops every cached secret (a rotated secret takes effect at once). */
    public void forgetAll() {
        cache.clear();
    }

    private Hook fromResponse(String hookId, Response response) {
        int status = response.getStatus();
        if (status == 404) {
            throw ProblemException.notFound("webhook", hookId);
        }
        if (status != 200) {
            LOG.warnf("hook lookup of %s: deployment-service answered %d", hookId, status);
            throw ProblemException.unavailable("cannot look up the webhook now (deployment-service answered " + status
                    + "); retry later");
        }
        try {
            JsonNode body = EventCodec.mapper().readTree(response.readEntity(String.class));
            String orgId = body.path("org_id").asText(null);
            String secret = body.path("secret").asText(null);
            if (orgId == null || secret == null || secret.isEmpty()) {
                throw new IllegalStateException("hook lookup answer lacks org_id or secret");
            }
            return new Hook(hookId, orgId, secret);
        } catch (Exception e) {
            LOG.warnf("hook lookup of %s: unusable answer from deployment-service: %s", hookId, e.toString());
            throw ProblemException.unavailable("cannot look up the webhook now: deployment-service gave an unusable answer");
        }
    }

    private HooksApi api() {
        if (api == null) {
            long timeoutMillis = config.hookLookupTimeout().toMillis();
            api = QuarkusRestClientBuilder.newBuilder()
                    .baseUri(URI.create(services.deploymentUrl()))
                    .connectTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                    .readTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                    .build(HooksApi.class);
        }
        return api;
    }

    /** A hook's answer until {@code expiresAt}; {@code refreshedAt} when a refused signature last asked again. */
    private record Cached(Hook hook, long expiresAt, Long refreshedAt) {
    }
}
