package io.benchline.webhooks.store;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.benchline.events.EventCodec;
import io.benchline.webhooks.model.Delivery;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

@ApplicationScoped
public class DeliveryRepository implements PanacheRepositoryBase<Delivery, Delivery.Key> {

    /** One delivery to record. */
    public record Row(String provider, String deliveryId, String hookId, String orgId, String eventId,
            OffsetDateTime receivedAt) {
    }

    /**
     * Inserts the deliveries with one statement, each unless one with the same (provider, hook id, delivery id)
     * exists; must run in a transaction. ON CONFLICT makes a concurrent insert of the same key wait for the first
     * transaction and then see the conflict, so two racing deliveries of one id never both win (a plain persist would
     * fail with a unique violation instead); a key that appears twice in {@code rows} is inserted for its first
     * occurrence only.
     *
     * @return the event ids of the rows this call inserted (first deliveries); the others are redeliveries
     */
    public Uni<Set<String>> insertAllIfAbsent(List<Row> rows) {
        ArrayNode json = EventCodec.mapper().createArrayNode();
        for (Row r : rows) {
            ObjectNode o = json.addObject();
            o.put("provider", r.provider());
            o.put("delivery_id", r.deliveryId());
            o.put("hook_id", r.hookId());
            o.put("org_id", r.orgId());
            o.put("event_id", r.eventId());
            o.put("received_at", r.receivedAt().toString());
        }
        return getSession().chain(session -> session.createNativeQuery(
                        "with inserted as (insert into deliveries (provider, delivery_id, hook_id, org_id, event_id,"
                                + " received_at)"
                                + " select r->>'provider', r->>'delivery_id', r->>'hook_id', r->>'org_id', r->>'event_id',"
                                + " cast(r->>'received_at' as timestamptz)"
                                + " from jsonb_array_elements(cast(cast(?1 as text) as jsonb)) with ordinality as t(r, n)"
                                + " order by n on conflict do nothing returning event_id)"
                                + " select event_id from inserted", String.class)
                .setParameter(1, json.toString())
                .getResultList())
                .map(HashSet::new);
    }
}
