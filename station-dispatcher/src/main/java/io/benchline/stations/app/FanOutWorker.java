package io.benchline.stations.app;

import io.benchline.common.notify.PgNotifications;
import io.benchline.common.notify.SafeContext;
import io.benchline.common.outbox.Outbox;
import io.benchline.common.tracing.TraceParent;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.benchline.events.ActorRef;
import io.benchline.events.EventCodec;
import io.benchline.events.EventTypes;
import io.benchline.events.PointerMoved;
import io.benchline.events.Topics;
import io.benchline.stations.store.FanOutJobRepository;
import io.benchline.stations.store.FanOutJobRepository.ChunkRow;
import io.benchline.stations.store.FanOutJobRepository.Job;
import io.benchline.stations.store.ProcedureLocks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Works off fan-out jobs in chunks: each chunk is one transaction of a bounded number of statements (lock the job,
 * lock the procedure, one {@code UPDATE ... RETURNING} over at most {@code fanout-chunk-size} pointers, one
 * multi-row outbox insert, one notification for the agents, the cursor), so it commits quickly whatever the
 * fleet's size, and a crash loses at most the chunk in flight, which the next pass redoes. It wakes when a job is
 * recorded (in any instance) and every few seconds in case a wake-up was lost or a worker died mid-job.
 */
@ApplicationScoped
public class FanOutWorker {
    private static final Logger LOG = Logger.getLogger(FanOutWorker.class);

    private final FanOutJobRepository jobs;
    private final ProcedureLocks locks;
    private final Outbox outbox;
    private final AgentWakeups wakeups;
    private final PgNotifications notifications;
    private final DispatcherConfig config;
    private final Vertx vertx;
    private final Tracer tracer;
    private final Counter movedCounter;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    public FanOutWorker(FanOutJobRepository jobs, ProcedureLocks locks, Outbox outbox, AgentWakeups wakeups,
            PgNotifications notifications, DispatcherConfig config, Vertx vertx, MeterRegistry registry,
            Tracer tracer) {
        this.tracer = tracer;
        this.jobs = jobs;
        this.locks = locks;
        this.outbox = outbox;
        this.wakeups = wakeups;
        this.notifications = notifications;
        this.config = config;
        this.vertx = vertx;
        this.movedCounter = Counter.builder("benchline.fanout.pointers.moved")
                .description("Pointers moved by fan-out jobs").register(registry);
    }

    void listen(@Observes StartupEvent event) {
        notifications.listen(FanOutJobRepository.CHANNEL, payload -> wake());
    }

    /** Works off open jobs soon, on a context of its own; a wake-up during a run makes that run look again. */
    public void wake() {
        again.set(true);
        if (!running.get()) {
            SafeContext.run(vertx, "fan-out", this::drain);
        }
    }

    @Scheduled(every = "${benchline.dispatcher.fanout-poll-interval:5s}", delay = 2, delayUnit = TimeUnit.SECONDS,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return drain().replaceWithVoid();
    }

    /** Runs chunks until no open job is left; returns the pointers moved. */
    public Uni<Long> drain() {
        if (!running.compareAndSet(false, true)) {
            return Uni.createFrom().item(0L);
        }
        again.set(false);
        return loop(0L)
                .onFailure().invoke(f -> LOG.warnf("fan-out pass failed, will resume from its cursor: %s", f.toString()))
                .onFailure().recoverWithItem(0L)
                .eventually(() -> running.set(false))
                .call(moved -> again.getAndSet(false) ? drain() : Uni.createFrom().voidItem());
    }

    private Uni<Long> loop(long movedSoFar) {
        return oneChunk().chain(moved -> moved < 0 ? Uni.createFrom().item(movedSoFar)
                : loop(movedSoFar + moved));
    }

    /**
     * One chunk of the oldest open job that no one else holds, in its own transaction, as any instance may run it
     * at any time; returns the pointers moved, or -1 when there is no open job to take.
     */
    public Uni<Integer> oneChunk() {
        return Panache.withTransaction(this::chunk);
    }

    private Uni<Integer> chunk() {
        return jobs.lockNextOpen().chain(job -> {
            if (job == null) {
                return Uni.createFrom().item(-1);
            }
            long started = System.nanoTime();
            // A chunk continues the trace of the event that recorded its job (no span for a job recorded untraced).
            Span span = job.trace() == null ? Span.getInvalid()
                    : TraceParent.start(tracer, "fan-out chunk", SpanKind.INTERNAL, job.trace());
            span.setAttribute("benchline.deployment.id", job.deploymentId());
            span.setAttribute("benchline.fanout.job", job.id());
            TraceParent trace = span.getSpanContext().isValid()
                    ? TraceParent.of(job.trace().context().with(span)) : job.trace();
            return locks.lock(job.procedureId())
                    .chain(() -> jobs.moveChunk(job, config.fanoutChunkSize(), trace))
                    .invoke(rows -> LOG.debugf("fan-out %s: chunk of %d pointers moved in %d ms", job.id(), rows.size(),
                            (System.nanoTime() - started) / 1_000_000))
                    .invoke(rows -> span.setAttribute("benchline.fanout.pointers", (long) rows.size()))
                    .chain(rows -> publish(job, rows, trace)
                            .chain(() -> wakeups.notifyStations(movedStations(rows)))
                            .chain(() -> {
                                int moved = (int) rows.stream().filter(ChunkRow::moved).count();
                                boolean finished = rows.size() < config.fanoutChunkSize();
                                String last = rows.isEmpty() ? null : rows.get(rows.size() - 1).stationId();
                                return jobs.advance(job, last, moved, finished).invoke(() -> {
                                    movedCounter.increment(moved);
                                    LOG.debugf("fan-out %s: chunk with its %d events written in %d ms", job.id(), moved,
                                            (System.nanoTime() - started) / 1_000_000);
                                    if (finished) {
                                        LOG.infof("fan-out %s of deployment %s (%s) finished", job.id(),
                                                job.deploymentId(), job.reason());
                                    }
                                }).replaceWith(moved);
                            }))
                    .onFailure().invoke(f -> span.setStatus(StatusCode.ERROR, f.toString()))
                    .eventually(() -> span.end());
        });
    }

    private Uni<Void> publish(Job job, List<ChunkRow> rows, TraceParent trace) {
        List<Outbox.Entry> events = new ArrayList<>();
        for (ChunkRow row : rows) {
            if (!row.moved()) {
                continue;
            }
            PointerMoved moved = new PointerMoved(row.stationId(), job.orgId(), job.procedureId(),
                    row.fromDeploymentId(), job.deploymentId(), eventReason(job.reason()), row.pointerVersion(),
                    job.actorName() == null ? ActorRef.SYSTEM : new ActorRef(job.actorKeyId(), job.actorName()),
                    job.note());
            events.add(new Outbox.Entry(Topics.STATION_POINTER_MOVED, row.stationId(), "station",
                    EventCodec.envelope(EventTypes.POINTER_MOVED, PointerMover.SOURCE, row.stationId(), moved), trace));
        }
        return outbox.appendAll(events);
    }

    /** A rollout's moves, forward or back after an abort, are {@code rollout_stage} moves on the topic. */
    private static String eventReason(String jobReason) {
        return FanOutJobRepository.ROLLOUT_ABORT.equals(jobReason) ? FanOutJobRepository.ROLLOUT_STAGE : jobReason;
    }

    private static List<String> movedStations(List<ChunkRow> rows) {
        return rows.stream().filter(ChunkRow::moved).map(ChunkRow::stationId).toList();
    }
}
