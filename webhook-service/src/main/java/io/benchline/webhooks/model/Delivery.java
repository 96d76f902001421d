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
 * (provider, delivery id) is a redelivery and publishes nothing.
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

    @Column(name = "hook_id", nullable = false)
    public String hookId;

    @Column(name = "org_id", nullable = false)
    public String orgId;

    /** The id of the deployment.requested event this delivery produced. */
    @Column(name = "event_id", nullable = false)
    public String eventId;

    @Column(name = "received_at", nullable = false)
    public OffsetDateTime receivedAt;

    /** Composite primary key (provider, delivery_id). */
    public static class Key implements Serializable {
        public String provider;
        public String deliveryId;

        public Key() {
        }

        public Key(String provider, String deliveryId) {
            this.provider = provider;
            this.deliveryId = deliveryId;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(provider, k.provider) && Objects.equals(deliveryId, k.deliveryId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(provider, deliveryId);
        }
    }
}
