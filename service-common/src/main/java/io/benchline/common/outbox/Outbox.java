package io.benchline.common.outbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.benchline.common.notify.PgNotifications;
import io.benchline.common.tracing.TraceParent;
import io.benchline.events.EventCodec;
import io.benchline.events.EventEnvelope;
import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Writes events to the {@code outbox} table in the caller's open transaction, so the state change
 * and its events commit or roll back together. {@link OutboxRelay} sends them to Kafka afterwards; a
 * notification on {@link #CHANNEL}, delivered when the transaction commits, wakes it at once.
 * Table (per service, see each service's V1 migration):
 * {@code outbox(seq bigserial, id text pk, aggregate_type, aggregate_id, type, topic, message_key, occurred_at, payload jsonb,
 * traceparent, tracestate)}.
 * Active when {@code benchline.outbox.enabled=true} (build time).
 */
@IfBuildProperty(name = "benchline.outbox.enabled", stringValue = "true")
@ApplicationScoped
public class Outbox {
    /** The LISTEN/NOTIFY channel that tells relays new rows were committed. */
    public static final String CHANNEL = "benchline_outbox";

    /*
     * Appended to the insert, so the rows and the notification that wakes the relays are one round trip; PostgreSQL
     * delivers the notification when the transaction commits, and sends identical ones of a transaction once.
     */
    private static final String NOTIFY_RELAYS =
            " select count(*) from (select pg_notify('" + CHANNEL + "', '') from inserted limit 1) n";

    /**
     * One event to append, for {@link #appendAll}, with the trace it continues when relayed (null: none). The
     * four-argument form takes the trace current where the entry is made.
     */
    public record Entry(String topic, String key, String aggregateType, EventEnvelope event, TraceParent trace) {
        public Entry(String topic, String key, String aggregateType, EventEnvelope event) {
            this(topic, key, aggregateType, event, TraceParent.current());
        }
    }

    private final OutboxRelay relay;
    private final RelayLeadership leadership;
    private final PgNotifications notifications;
    private final OutboxConfig config;

    public Outbox(OutboxRelay relay, RelayLeadership leadership, PgNotifications notifications, OutboxConfig config) {
        this.relay = relay;
        this.leadership = leadership;
        this.notifications = notifications;
        this.config = config;
    }

    /**
     * Appends one event; must run inside a transaction ({@code @WithTransaction}).
     *
     * @param topic         the Kafka topic, a constant of {@link io.benchline.events.Topics}
     * @param key           the Kafka key (the topic's partitioning key)
     * @param aggregateType e.g. {@code deployment}
     */
    public Uni<Void> append(String topic, String key, String aggregateType, EventEnvelope event) {
        TraceParent trace = TraceParent.current();
        return Panache.getSession().chain(session -> session.createNativeQuery(
                        "with inserted as (insert into outbox (id, aggregate_type, aggregate_id, type, topic, message_key,"
                                + " occurred_at, payload, traceparent, tracestate) values (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
                                + " cast(cast(?8 as text) as jsonb), cast(?9 as text), cast(?10 as text))"
                                + " returning 1)" + NOTIFY_RELAYS, Long.class)
                .setParameter(1, event.id())
                .setParameter(2, aggregateType)
                .setParameter(3, event.subject())
                .setParameter(4, event.type())
                .setParameter(5, topic)
                .setParameter(6, key)
                .setParameter(7, OffsetDateTime.ofInstant(event.time(), ZoneOffset.UTC))
                // Typed as text first: the reactive driver binds a String given for jsonb as a JSON string literal.
                .setParameter(8, EventCodec.toJson(event))
                .setParameter(9, trace == null ? null : trace.traceparent())
                .setParameter(10, trace == null ? null : trace.tracestate())
                .getSingleResult())
                .replaceWithVoid();
    }

    /**
     * Appends many events with one statement (their order is kept: {@code seq} follows the list), for bulk
     * work such as a fan-out chunk; must run inside a transaction.
     */
    public Uni<Void> appendAll(List<Entry> entries) {
        return insertAll(entries, true);
    }

    /**
     * As {@link #appendAll}, but without the notification in the transaction: the caller calls {@link #announce()}
     * once the transaction committed. For a writer of many small transactions a second: PostgreSQL serializes the
     * commits of transactions that sent NOTIFY (they hold one database-wide lock from before the commit record until
     * it is flushed), which capped durable commits at ~700/s on the 2-core machine (4,000-4,600/s without; see
     * bench part 2).
     */
    public Uni<Void> appendAllUnannounced(List<Entry> entries) {
        return insertAll(entries, false);
    }

    /**
     * After a transaction that used {@link #appendAllUnannounced} committed: wakes this instance's relay at once and,
     * when another instance may be the relaying one, sends it one notification outside any transaction (concurrent
     * calls collapse into one, see {@link PgNotifications#notifySoon}). A lost wake-up costs one poll interval.
     * Does nothing when {@code benchline.outbox.listen} is off, as the notification would not be heard then either.
     */
    public void announce() {
        if (!config.listen()) {
            return; // tests that relay by hand
        }
        relay.wake();
        if (!leadership.isLeader()) {
            notifications.notifySoon(CHANNEL);
        }
    }

    private Uni<Void> insertAll(List<Entry> entries, boolean notifyRelays) {
        if (entries.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        ArrayNode rows = EventCodec.mapper().createArrayNode();
        for (Entry e : entries) {
            ObjectNode row = rows.addObject();
            row.put("id", e.event().id());
            row.put("aggregate_type", e.aggregateType());
            row.put("aggregate_id", e.event().subject());
            row.put("type", e.event().type());
            row.put("topic", e.topic());
            row.put("message_key", e.key());
            row.put("occurred_at", e.event().time().toString());
            row.set("payload", EventCodec.tree(e.event()));
            if (e.trace() != null) {
                row.put("traceparent", e.trace().traceparent());
                row.put("tracestate", e.trace().tracestate());
            }
        }
        return Panache.getSession().chain(session -> session.createNativeQuery(
                        "with inserted as (insert into outbox (id, aggregate_type, aggregate_id, type, topic, message_key,"
                                + " occurred_at, payload, traceparent, tracestate)"
                                + " select r->>'id', r->>'aggregate_type', r->>'aggregate_id', r->>'type', r->>'topic',"
                                + " r->>'message_key', cast(r->>'occurred_at' as timestamptz), r->'payload',"
                                + " r->>'traceparent', r->>'tracestate'"
                                + " from jsonb_array_elements(cast(cast(?1 as text) as jsonb)) with ordinality as t(r, n)"
                                + " order by n returning 1)"
                                + (notifyRelays ? NOTIFY_RELAYS : " select count(*) from inserted"), Long.class)
                .setParameter(1, rows.toString())
                .getSingleResult())
                .replaceWithVoid();
    }
}
