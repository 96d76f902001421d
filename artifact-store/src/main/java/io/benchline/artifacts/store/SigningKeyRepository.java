package io.benchline.artifacts.store;

import io.benchline.artifacts.model.SigningKey;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.List;

@ApplicationScoped
public class SigningKeyRepository implements PanacheRepositoryBase<SigningKey, String> {

    public Uni<SigningKey> findActive() {
        return find("active = true").firstResult();
    }

    public Uni<List<SigningKey>> listOldestFirst() {
        return list("order by createdAt, keyId");
    }

    /**
     * Inserts a key as the active one unless some key is already active (unique partial index) or the id
     * exists; a concurrent inserter wins or loses atomically. Returns whether this row was inserted.
     */
    public Uni<Boolean> insertActiveIfNoneActive(String keyId, byte[] publicKey, byte[] privateKey, OffsetDateTime at) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                        "insert into signing_keys (key_id, public_key, private_key, created_at, active)"
                                + " values (?1, ?2, ?3, ?4, true) on conflict do nothing")
                .setParameter(1, keyId).setParameter(2, publicKey).setParameter(3, privateKey).setParameter(4, at)
                .executeUpdate())
                .map(rows -> rows == 1);
    }

    /** Makes {@code keyId} the one active key, inserting it if new (a key given by configuration). */
    public Uni<Void> activateConfigured(String keyId, byte[] publicKey, byte[] privateKey, OffsetDateTime at) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                                "update signing_keys set active = false where active and key_id <> ?1")
                        .setParameter(1, keyId).executeUpdate()
                        .chain(() -> session.createNativeQuery(
                                        "insert into signing_keys (key_id, public_key, private_key, created_at, active)"
                                                + " values (?1, ?2, ?3, ?4, true)"
                                                + " on conflict (key_id) do update set active = true")
                                .setParameter(1, keyId).setParameter(2, publicKey).setParameter(3, privateKey)
                                .setParameter(4, at).executeUpdate()))
                .replaceWithVoid();
    }
}
