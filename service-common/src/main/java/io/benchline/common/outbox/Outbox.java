package io.benchline.common.outbox;

import io.benchline.events.EventCodec;
import io.benchline.events.EventEnvelope;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.quarkus.arc.properties.IfBuildProperty;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Writes events to the {@code outbox} table in the caller's open transaction, so the state change
 * and its events commit or roll back together. {@link OutboxRelay} sends them to Kafka afterwards.
 * Table (per service, see each service's V1 migration):
 * {@code outbox(seq bigserial, id text pk, aggregate_type, aggregate_id, type, topic, message_key, occurred_at, payload jsonb)}.
 */
/** Active when {@code benchline.outbox.enabled=true} (build time). */
@IfBuildProperty(name = "benchline.outbox.enabled", stringValue = "true")
@ApplicationScoped
public class Outbox {
    /**
     * Appends one event; must run inside a transaction ({@code @WithTransaction}).
     *
     * @param topic         the Kafka topic, a constant of {@link io.benchline.events.Topics}
     * @param key           the Kafka key (the topic's partitioning key)
     * @param aggregateType e.g. {@code deployment}
     */
    public Uni<Void> append(String topic, String key, String aggregateType, EventEnvelope event) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                        "insert into outbox (id, aggregate_type, aggregate_id, type, topic, message_key, occurred_at, payload)"
                                + " values (?1, ?2, ?3, ?4, ?5, ?6, ?7, cast(cast(?8 as text) as jsonb))")
                .setParameter(1, event.id())
                .setParameter(2, aggregateType)
                .setParameter(3, event.subject())
                .setParameter(4, event.type())
                .setParameter(5, topic)
                .setParameter(6, key)
                .setParameter(7, java.time.OffsetDateTime.ofInstant(event.time(), java.time.ZoneOffset.UTC))
                // Typed as text first: the reactive driver binds a String given for jsonb as a JSON string literal.
                .setParameter(8, EventCodec.toJson(event))
                .executeUpdate())
                .replaceWithVoid();
    }
}
