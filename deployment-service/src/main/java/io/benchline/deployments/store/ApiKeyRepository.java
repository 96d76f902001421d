package io.benchline.deployments.store;

import io.benchline.deployments.model.ApiKey;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

@ApplicationScoped
public class ApiKeyRepository implements PanacheRepositoryBase<ApiKey, String> {

    public Uni<ApiKey> findByHash(String keyHash) {
        return find("keyHash", keyHash).firstResult();
    }

    /** The organization's key, or null: another organization's key does not exist for the caller. */
    public Uni<ApiKey> findInOrg(String orgId, String id) {
        return find("id = ?1 and orgId = ?2", id, orgId).firstResult();
    }

    /** Every key of the organization, revoked ones included, newest first. */
    public Uni<List<ApiKey>> listInOrg(String orgId) {
        return list("orgId = ?1 order by createdAt desc, id desc", orgId);
    }

    /**
     * Inserts the key unless its hash is already stored (idempotent bootstrap). An existing key keeps its role and
     * its revocation: a restart with the same bootstrap key does not bring a revoked key back.
     */
    public Uni<Void> insertIfAbsent(String id, String orgId, String keyHash, String name, String role, Instant now) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "insert into api_keys (id, org_id, key_hash, name, role, created_at)"
                                + " values (?1, ?2, ?3, ?4, ?5, ?6) on conflict (key_hash) do nothing")
                .setParameter(1, id).setParameter(2, orgId).setParameter(3, keyHash).setParameter(4, name)
                .setParameter(5, role).setParameter(6, now.atOffset(ZoneOffset.UTC))
                .executeUpdate()).replaceWithVoid();
    }

    /** Sets revoked_at on the organization's key unless it is revoked already; the number of rows changed. */
    public Uni<Integer> revoke(String orgId, String id, Instant now) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "update api_keys set revoked_at = ?1 where id = ?2 and org_id = ?3 and revoked_at is null")
                .setParameter(1, now.atOffset(ZoneOffset.UTC)).setParameter(2, id).setParameter(3, orgId)
                .executeUpdate());
    }
}
