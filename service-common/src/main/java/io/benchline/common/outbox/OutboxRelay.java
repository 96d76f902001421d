package io.benchline.common.outbox;

import io.benchline.common.notify.PgNotifications;
import io.benchline.common.notify.SafeContext;
import io.benchline.common.tracing.TraceParent;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.benchline.events.EventEnvelope;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.quarkus.arc.properties.IfBuildProperty;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends outbox rows to Kafka in the order they were written and deletes them once the broker acknowledged them
 * ({@code acks=all}, idempotent producer). It wakes when a transaction that wrote rows commits ({@link Outbox#CHANNEL}
 * notification) and keeps passing while passes come back full; the poll is the fallback for a lost notification or a
 * broker that was away.
 * <p>
 * One instance of a service relays at a time ({@link RelayLeadership}: a session advisory lock), so the rows of one
 * Kafka key leave in order however many instances run, and no row lock or transaction is held while events travel:
 * a pass reads a batch, sends it, and deletes what the broker acknowledged in a short transaction of its own. After
 * a crash between send and delete a row is sent again, which consumers absorb by event id. A failure that can never
 * succeed (too large, invalid topic, serialization) counts toward {@code max-attempts}, after which the row moves to
 * {@code outbox_failed} and stops holding back its key; any other failure is transient: nothing counts, and passes
 * pause with capped exponential backoff until the broker answers again.
 * Active when {@code benchline.outbox.enabled=true} (build time).
 */
@IfBuildProperty(name = "benchline.outbox.enabled", stringValue = "true")
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    private final OutboxProducer producer;
    private final RelayLeadership leadership;
    private final OutboxConfig config;
    private final AtomicBoolean running = new AtomicBoolean();
    /** A wake-up arrived during a pass: pass again at its end, or that commit's rows wait for the next poll. */
    private final AtomicBoolean again = new AtomicBoolean();
    private final Vertx vertx;
    private final PgNotifications notifications;
    private final Tracer tracer;
    /** Permanent refusals per outbox row id, since the row was last sent or moved aside. */
    private final Map<String, Integer> failures = new java.util.concurrent.ConcurrentHashMap<>();
    /** Transient failures in a row, and until when passes pause because of them. */
    private volatile int transientPasses;
    private volatile long pausedUntil;

    public OutboxRelay(OutboxProducer producer, RelayLeadership leadership, OutboxConfig config, Vertx vertx,
            PgNotifications notifications, Tracer tracer) {
        this.tracer = tracer;
        this.producer = producer;
        this.leadership = leadership;
        this.config = config;
        this.vertx = vertx;
        this.notifications = notifications;
    }

    void listen(@Observes StartupEvent event) {
        if (config.listen()) {
            notifications.listen(Outbox.CHANNEL, payload -> wake());
        }
    }

    /** Relays soon, on its own context; a wake-up during a pass makes that pass go on. */
    public void wake() {
        again.set(true);
        if (!running.get()) {
            SafeContext.run(vertx, "outbox relay", this::drain);
        }
    }

    // Two seconds, not minutes (Quarkus' default delay unit): the database connects first, and rows committed
    // before a restart go out right after it.
    @Scheduled(every = "${benchline.outbox.poll-interval:1s}", delay = 2, delayUnit = TimeUnit.SECONDS,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return drain().replaceWithVoid();
    }

    /** Passes until one comes back short of a full batch and no wake-up arrived meanwhile; returns events sent. */
    public Uni<Integer> drain() {
        return pass().chain(sent -> {
            if (sent < 0) {
                return Uni.createFrom().item(0); // another pass runs, or the relay pauses after a transient failure
            }
            if (sent >= config.batchSize() || again.getAndSet(false)) {
                return drain().map(more -> sent + more);
            }
            return Uni.createFrom().item(sent);
        });
    }

    /**
     * One pass now (ignoring a backoff pause): returns how many events were sent. Rows of one Kafka key go out one
     * after the other and a key stops at its first failure, so a key's events never overtake each other; only
     * acknowledged rows are deleted.
     */
    public Uni<Integer> relayOnce() {
        pausedUntil = 0;
        return pass().map(sent -> Math.max(0, sent));
    }

    /** Whether the relay is pausing after transient failures (the broker away). */
    public boolean backingOff() {
        return System.nanoTime() < pausedUntil;
    }

    /** One pass, or -1 at once when a pass is running already or the relay pauses; 0 when not the leader. */
    private Uni<Integer> pass() {
        if (System.nanoTime() < pausedUntil || !running.compareAndSet(false, true)) {
            return Uni.createFrom().item(-1);
        }
        again.set(false);
        long started = System.nanoTime();
        io.vertx.core.Context context = Vertx.currentContext();
        return Uni.createFrom().deferred(() -> leadership.ensure().emitOn(command -> onContext(context, command))
                .chain(leader -> !leader
                        ? Uni.createFrom().item(0)
                        : Panache.withSession(() -> Panache.getSession().chain(session -> session.createNativeQuery(
                                        "select id, topic, message_key, type, cast(payload as text), traceparent,"
                                                + " tracestate from outbox"
                                                + " order by seq limit ?1", Object[].class)
                                .setParameter(1, config.batchSize())
                                .getResultList()))
                        .chain(rows -> rows.isEmpty() ? Uni.createFrom().item(0) : relay(rows, context))))
                .ifNoItem().after(config.passTimeout()).fail()
                .invoke(sent -> {
                    if (sent > 0) {
                        LOG.debugf("outbox relay sent %d events in %d ms", Integer.valueOf(sent),
                                Long.valueOf((System.nanoTime() - started) / 1_000_000));
                    }
                })
                .onFailure().invoke(f -> LOG.warnf("outbox relay pass failed, will retry: %s", f.toString()))
                .onFailure().recoverWithItem(0)
                .eventually(() -> running.set(false));
    }

    /** The outcome of sending one pass's rows. */
    private static final class Outcome {
        final List<String> sent = java.util.Collections.synchronizedList(new ArrayList<>());
        final Map<String, String> refused = new java.util.concurrent.ConcurrentHashMap<>();
        final Map<String, Throwable> failed = new java.util.concurrent.ConcurrentHashMap<>();
    }

    private Uni<Integer> relay(List<Object[]> rows, io.vertx.core.Context context) {
        Map<String, List<Object[]>> byKey = new LinkedHashMap<>();
        for (Object[] row : rows) {
            byKey.computeIfAbsent(String.valueOf(row[2]), k -> new ArrayList<>()).add(row);
        }
        Outcome outcome = new Outcome();
        List<Uni<Void>> keys = new ArrayList<>();
        byKey.values().forEach(keyRows -> keys.add(sendInOrder(keyRows, 0, outcome)));
        return Uni.join().all(keys).andCollectFailures()
                // back on the pass's context: Hibernate Reactive refuses the producer's threads
                .emitOn(command -> onContext(context, command))
                .invoke(() -> judge(outcome))
                .chain(() -> outcome.sent.isEmpty() && outcome.refused.isEmpty() ? Uni.createFrom().voidItem()
                        : Panache.withTransaction(() -> Panache.getSession().chain(session -> (outcome.sent.isEmpty()
                                ? Uni.createFrom().voidItem()
                                : session.createNativeQuery("delete from outbox where id in (?1)")
                                        .setParameter(1, new ArrayList<>(outcome.sent)).executeUpdate().replaceWithVoid())
                                .chain(() -> moveAside(session, outcome.refused)))))
                .replaceWith(outcome.sent::size);
    }

    /** Sorts the pass's failures into permanent (counted) and transient (backoff), once every send ended. */
    private void judge(Outcome outcome) {
        boolean brokerAnswered = !outcome.sent.isEmpty();
        boolean transientFailure = false;
        for (Map.Entry<String, Throwable> e : outcome.failed.entrySet()) {
            String id = e.getKey();
            if (RelayFailures.permanent(e.getValue(), brokerAnswered)) {
                int attempts = failures.merge(id, 1, Integer::sum);
                LOG.warnf("outbox event %s refused for good (attempt %d of %d): %s", id, attempts,
                        config.maxAttempts(), e.getValue().toString());
                if (attempts >= config.maxAttempts()) {
                    outcome.refused.put(id, e.getValue().toString());
                }
            } else {
                transientFailure = true;
            }
        }
        if (transientFailure) {
            int passes = ++transientPasses;
            long pause = Math.min(config.backoffMax().toNanos(),
                    config.backoffMin().toNanos() << Math.min(passes - 1, 20));
            pausedUntil = System.nanoTime() + pause;
            LOG.warnf("outbox relay: %d of %d events not sent (broker away or slow: %s); next pass in %d ms",
                    outcome.failed.size(), outcome.failed.size() + outcome.sent.size(),
                    outcome.failed.values().iterator().next().toString(), pause / 1_000_000);
        } else if (outcome.failed.isEmpty()) {
            transientPasses = 0;
        }
    }

    /** Sends {@code rows[from..]} one after the other; stops at the first failure, remembering it. */
    private Uni<Void> sendInOrder(List<Object[]> rows, int from, Outcome outcome) {
        if (from == rows.size()) {
            return Uni.createFrom().voidItem();
        }
        Object[] row = rows.get(from);
        String id = (String) row[0];
        return send(id, (String) row[1], (String) row[2], (String) row[3], (String) row[4],
                TraceParent.of((String) row[5], (String) row[6]))
                .onItem().transformToUni(ignored -> {
                    outcome.sent.add(id);
                    failures.remove(id);
                    return sendInOrder(rows, from + 1, outcome);
                })
                .onFailure().recoverWithUni(f -> {
                    outcome.failed.put(id, f);
                    return Uni.createFrom().voidItem();
                });
    }

    private Uni<Void> moveAside(org.hibernate.reactive.mutiny.Mutiny.Session session, Map<String, String> refused) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Map.Entry<String, String> entry : refused.entrySet()) {
            chain = chain.chain(() -> session.createNativeQuery("insert into outbox_failed (id, aggregate_type,"
                                    + " aggregate_id, type, topic, message_key, occurred_at, payload, traceparent,"
                                    + " tracestate, failed_at, error)"
                                    + " select id, aggregate_type, aggregate_id, type, topic, message_key, occurred_at,"
                                    + " payload, traceparent, tracestate, now(), ?2 from outbox where id = ?1")
                            .setParameter(1, entry.getKey()).setParameter(2, entry.getValue()).executeUpdate())
                    .chain(() -> session.createNativeQuery("delete from outbox where id = ?1")
                            .setParameter(1, entry.getKey()).executeUpdate())
                    .invoke(() -> {
                        failures.remove(entry.getKey());
                        LOG.errorf("outbox event %s moved to outbox_failed after %d refused sends: %s",
                                entry.getKey(), config.maxAttempts(), entry.getValue());
                    })
                    .replaceWithVoid();
        }
        return chain;
    }

    private static void onContext(io.vertx.core.Context context, Runnable command) {
        if (context == null || Vertx.currentContext() == context) {
            command.run();
        } else {
            context.runOnContext(v -> command.run());
        }
    }

    /**
     * Sends one row. A row written inside a trace goes out in a producer span of that trace, whose context travels
     * in the record's {@code traceparent} header, so the consumer's span continues it (with tracing off the span is a
     * no-op and the stored context travels unchanged).
     */
    private Uni<Void> send(String id, String topic, String key, String type, String payload, TraceParent trace) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(EventEnvelope.HEADER_ID, id.getBytes(StandardCharsets.UTF_8));
        headers.add(EventEnvelope.HEADER_TYPE, type.getBytes(StandardCharsets.UTF_8));
        headers.add("content-type", "application/cloudevents+json".getBytes(StandardCharsets.UTF_8));
        if (trace == null) {
            return producer.send(topic, key, headers, payload);
        }
        Span span = TraceParent.start(tracer, topic + " publish", SpanKind.PRODUCER, trace);
        span.setAttribute("messaging.system", "kafka");
        span.setAttribute("messaging.destination.name", topic);
        span.setAttribute("messaging.message.id", id);
        span.setAttribute("benchline.event.type", type);
        TraceParent sent = span.getSpanContext().isValid() ? TraceParent.of(trace.context().with(span)) : trace;
        headers.add(TraceParent.HEADER, sent.traceparent().getBytes(StandardCharsets.UTF_8));
        if (sent.tracestate() != null) {
            headers.add(TraceParent.STATE_HEADER, sent.tracestate().getBytes(StandardCharsets.UTF_8));
        }
        return producer.send(topic, key, headers, payload)
                .onFailure().invoke(f -> span.setStatus(StatusCode.ERROR, f.toString()))
                .eventually(() -> span.end());
    }
}
