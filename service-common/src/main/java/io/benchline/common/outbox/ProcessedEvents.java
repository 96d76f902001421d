package io.benchline.common.outbox;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Consumer-side deduplication: records an event id in the consumer's transaction, so the effect of
 * an event and the note that it was handled commit together (Debezium's MessageLog idea).
 * Table: {@code processed_events(event_id text, consumer text, processed_at timestamptz, primary key (event_id, consumer))}.
 */
@ApplicationScoped
public class ProcessedEvents {

    /**
     * Marks the event handled by {@code consumer}; must run inside a transaction.
     *
     * @return true the first time, false when this event was handled before (skip it)
     */
    public Uni<Boolean> firstTime(String eventId, String consumer) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                        "insert into processed_events (event_id, consumer, processed_at) values (?1, ?2, now())"
                                + " on conflict do nothing")
                .setParameter(1, eventId)
                .setParameter(2, consumer)
                .executeUpdate())
                .map(rows -> rows == 1);
    }

    /**
     * Marks a batch of events handled by {@code consumer} with one statement; must run inside a transaction.
     *
     * @return the ids handled for the first time (the others were handled before: skip them)
     */
    public Uni<java.util.Set<String>> firstTimes(java.util.Collection<String> eventIds, String consumer) {
        if (eventIds.isEmpty()) {
            return Uni.createFrom().item(java.util.Set.of());
        }
        var ids = io.benchline.events.EventCodec.mapper().createArrayNode();
        eventIds.forEach(ids::add);
        return Panache.getSession().chain(session -> session.createNativeQuery(
                        "insert into processed_events (event_id, consumer, processed_at)"
                                + " select distinct e, ?2, now() from jsonb_array_elements_text(cast(cast(?1 as text) as jsonb)) e"
                                + " on conflict do nothing returning event_id", String.class)
                .setParameter(1, ids.toString())
                .setParameter(2, consumer)
                .getResultList())
                .map(java.util.Set::copyOf);
    }
}
