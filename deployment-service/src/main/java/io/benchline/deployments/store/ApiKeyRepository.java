package io.benchline.deployments.store;

import io.benchline.deployments.model.ApiKey;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.ZoneOffset;

@ApplicationScoped
public class ApiKeyRepository implements PanacheRepositoryBase<ApiKey, String> {

    public Uni<ApiKey> findByHash(String keyHash) {
        return find("keyHash", keyHash).firstResult();
    }

    /** Inserts the key unless its hash is already stored (idempotent bootstrap). */
    public Uni<Void> insertIfAbsent(String id, String orgId, String keyHash, String name, Instant now) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "insert into api_keys (id, org_id, key_hash, name, created_at) values (?1, ?2, ?3, ?4, ?5)"
                                + " on conflict (key_hash) do nothing")
                .setParameter(1, id).setParameter(2, orgId).setParameter(3, keyHash).setParameter(4, name)
                .setParameter(5, now.atOffset(ZoneOffset.UTC))
                .executeUpdate()).replaceWithVoid();
    }
}
