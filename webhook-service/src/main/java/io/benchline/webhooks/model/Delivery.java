package io.benchline.webhooks.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * One accepted provider delivery: the dedup record. A second delivery with the same
 * (provider, hook, delivery id) is a redelivery and publishes nothing. The hook is part of the key because a
 * provider sends one event with one delivery id to every hook subscribed to it (see V2__dedup_per_hook.sql).
 */
@Entity
@Table(name = "deliveries")
@IdClass(Delivery.Key.class)
public class Delivery {
    @Id
    public String provider;

    @Id
    @Column(name = "delivery_id")
    public String deliveryId;

    @Id
    @Column(name = "hook_id", nullable = false)
    public String hookId;

    @Column(name = "org_id", nullable = false)
    public String orgId;

    /** The id of the deployment.requested event this delivery produced. */
    @Column(name = "event_id", nullable = false)
    public String eventId;

    @Column(name = "received_at", nullable = false)
    public OffsetDateTime receivedAt;

    /** Composite primary key (provider, hook_id, delivery_id). */
    public static class Key implements Serializable {
        public String provider;
        public String hookId;
        public String deliveryId;

        public Key() {
        }

        public Key(String provider, String hookId, String deliveryId) {
            this.provider = provider;
            this.hookId = hookId;
            this.deliveryId = deliveryId;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(provider, k.provider) && Objects.equals(hookId, k.hookId)
                    && Objects.equals(deliveryId, k.deliveryId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(provider, hookId, deliveryId);
        }
    }
}
