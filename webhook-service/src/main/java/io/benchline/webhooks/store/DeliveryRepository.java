package io.benchline.webhooks.store;

import io.benchline.webhooks.model.Delivery;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;

@ApplicationScoped
public class DeliveryRepository implements PanacheRepositoryBase<Delivery, Delivery.Key> {

    /**
     * Inserts the delivery unless one with the same (provider, hook id, delivery id) exists; must run in a transaction.
     * ON CONFLICT makes a concurrent second insert wait for the first and then see the conflict, so two racing
     * deliveries of one id never both win (a plain persist would fail with a unique violation instead).
     *
     * @return true when this call inserted the row (first delivery), false for a redelivery
     */
    public Uni<Boolean> insertIfAbsent(String provider, String deliveryId, String hookId, String orgId,
            String eventId, OffsetDateTime receivedAt) {
        return getSession().chain(session -> session.createNativeQuery(
                        "insert into deliveries (provider, delivery_id, hook_id, org_id, event_id, received_at)"
                                + " values (?1, ?2, ?3, ?4, ?5, ?6) on conflict do nothing")
                .setParameter(1, provider)
                .setParameter(2, deliveryId)
                .setParameter(3, hookId)
                .setParameter(4, orgId)
                .setParameter(5, eventId)
                .setParameter(6, receivedAt)
                .executeUpdate())
                .map(rows -> rows == 1);
    }
}
