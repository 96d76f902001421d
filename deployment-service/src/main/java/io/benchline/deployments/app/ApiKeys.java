package io.benchline.deployments.app;

import io.benchline.common.api.NotFound;
import io.benchline.common.auth.Caller;
import io.benchline.common.auth.IntrospectingApiKeyVerifier;
import io.benchline.common.auth.Role;
import io.benchline.deployments.model.ApiKey;
import io.benchline.deployments.store.ApiKeyRepository;
import io.benchline.deployments.store.OrganizationRepository;
import io.benchline.events.EventIds;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * API keys: this service owns them and answers for every other service (introspection). A key has a role and can
 * be revoked; a revoked key is refused here at once (no cache), and by the other services once their verification
 * cache ({@code benchline.auth.cache-ttl}) forgets it.
 */
@ApplicationScoped
public class ApiKeys {
    /** Same shape as the local stack's bootstrap key: {@code blk_} and 48 hex digits (192 random bits). */
    static final String SECRET_PREFIX = "blk_";
    private static final int SECRET_BYTES = 24;
    private static final SecureRandom RANDOM = new SecureRandom();
    private final OrganizationRepository organizations;
    private final ApiKeyRepository keys;

    public ApiKeys(OrganizationRepository organizations, ApiKeyRepository keys) {
        this.organizations = organizations;
        this.keys = keys;
    }

    /** The caller a key stands for; empty for an unknown or revoked key. Looks up only the key's SHA-256. */
    @WithSession
    public Uni<Optional<Caller>> verify(String apiKey) {
        if (apiKey == null || apiKey.isBlank()) {
            return Uni.createFrom().item(Optional.empty());
        }
        return keys.findByHash(IntrospectingApiKeyVerifier.sha256(apiKey))
                .map(key -> key == null || key.isRevoked() ? Optional.empty() : Optional.of(callerOf(key)));
    }

    /**
     * Makes sure the organization and the key exist; a new key is admin (the bootstrap key). Idempotent, and safe
     * when several instances start at once: both inserts are "on conflict do nothing", then the rows are read back.
     */
    @WithTransaction
    public Uni<Caller> ensureKey(String orgName, String apiKey) {
        return organizations.insertIfAbsent(EventIds.withPrefix("org"), orgName, Clock.now())
                .chain(() -> organizations.findByName(orgName))
                .chain(org -> keys.insertIfAbsent(EventIds.withPrefix("key"), org.id,
                                IntrospectingApiKeyVerifier.sha256(apiKey), "bootstrap", Role.ADMIN.wire(), Clock.now())
                        .chain(() -> keys.findByHash(IntrospectingApiKeyVerifier.sha256(apiKey))))
                .map(ApiKeys::callerOf);
    }

    /** A new key of the caller's organization; the secret is in the answer only, the database keeps its hash. */
    @WithTransaction
    public Uni<NewKey> create(Caller creator, String name, Role role) {
        String secret = SECRET_PREFIX + newSecret();
        ApiKey key = new ApiKey();
        key.id = EventIds.withPrefix("key");
        key.orgId = creator.orgId();
        key.keyHash = IntrospectingApiKeyVerifier.sha256(secret);
        key.name = name;
        key.role = role.wire();
        key.createdAt = Clock.now();
        key.createdByKeyId = creator.keyId();
        return keys.persist(key).map(k -> new NewKey(new KeyView(k, creator.keyName()), secret));
    }

    /** The organization's keys, revoked ones included, newest first, each with the name of the key that made it. */
    @WithSession
    public Uni<List<KeyView>> list(String orgId) {
        // A key is made by a key of the same organization, so every creator is in this list.
        return keys.listInOrg(orgId).map(all -> all.stream()
                .map(k -> new KeyView(k, all.stream().filter(c -> c.id.equals(k.createdByKeyId)).map(c -> c.name)
                        .findFirst().orElse(null)))
                .toList());
    }

    /**
     * Revokes the organization's key; revoking a revoked key changes nothing (the first revocation time stays).
     * Another organization's key does not exist for the caller.
     */
    @WithTransaction
    public Uni<Void> revoke(String orgId, String id) {
        return keys.revoke(orgId, id, Clock.now()).chain(changed -> changed > 0 ? Uni.createFrom().voidItem()
                : keys.findInOrg(orgId, id).invoke(existing -> {
                    if (existing == null) {
                        throw new NotFound("API key", id);
                    }
                }).replaceWithVoid());
    }

    private static Caller callerOf(ApiKey key) {
        // A role the code does not know (a later version's) grants the least, not the most.
        return new Caller(key.orgId, key.id, key.name, Role.parse(key.role).orElse(Role.VIEWER));
    }

    private static String newSecret() {
        byte[] bytes = new byte[SECRET_BYTES];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** A key as the API lists it; {@code createdByName} is the creating key's name (null for a bootstrap key). */
    public record KeyView(ApiKey key, String createdByName) {
    }

    /** A key just made, with its secret: the only time the secret is known. */
    public record NewKey(KeyView view, String secret) {
    }
}
