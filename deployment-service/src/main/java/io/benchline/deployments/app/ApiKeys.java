package io.benchline.deployments.app;

import io.benchline.common.auth.Caller;
import io.benchline.common.auth.IntrospectingApiKeyVerifier;
import io.benchline.deployments.store.ApiKeyRepository;
import io.benchline.deployments.store.OrganizationRepository;
import io.benchline.events.EventIds;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/** API keys: this service owns them and answers for every other service (introspection). */
@ApplicationScoped
public class ApiKeys {
    private final OrganizationRepository organizations;
    private final ApiKeyRepository keys;

    public ApiKeys(OrganizationRepository organizations, ApiKeyRepository keys) {
        this.organizations = organizations;
        this.keys = keys;
    }

    /** The caller a key stands for; empty for an unknown key. Looks up only the key's SHA-256. */
    @WithSession
    public Uni<Optional<Caller>> verify(String apiKey) {
        if (apiKey == null || apiKey.isBlank()) {
            return Uni.createFrom().item(Optional.empty());
        }
        return keys.findByHash(IntrospectingApiKeyVerifier.sha256(apiKey))
                .map(key -> key == null ? Optional.empty() : Optional.of(new Caller(key.orgId, key.id)));
    }

    /**
     * Makes sure the organization and the key exist. Idempotent, and safe when several instances start
     * at once: both inserts are "on conflict do nothing", then the rows are read back.
     */
    @WithTransaction
    public Uni<Caller> ensureKey(String orgName, String apiKey) {
        return organizations.insertIfAbsent(EventIds.withPrefix("org"), orgName, Clock.now())
                .chain(() -> organizations.findByName(orgName))
                .chain(org -> keys.insertIfAbsent(EventIds.withPrefix("key"), org.id,
                                IntrospectingApiKeyVerifier.sha256(apiKey), "bootstrap", Clock.now())
                        .chain(() -> keys.findByHash(IntrospectingApiKeyVerifier.sha256(apiKey))))
                .map(key -> new Caller(key.orgId, key.id));
    }
}
