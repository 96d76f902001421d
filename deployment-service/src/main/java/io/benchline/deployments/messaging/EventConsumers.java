package io.benchline.deployments.messaging;

import io.benchline.common.messaging.DatabaseProbe;
import io.benchline.deployments.app.BuildEvents;
import io.benchline.deployments.app.DeploymentServiceConfig;
import io.benchline.deployments.app.PushHandler;
import io.benchline.deployments.app.StationEvents;
import io.benchline.events.BuildCompleted;
import io.benchline.events.BuildLogs;
import io.benchline.events.BuildStarted;
import io.benchline.events.DeploymentRequested;
import io.benchline.events.EventCodec;
import io.benchline.events.EventCodec.MalformedEventException;
import io.benchline.events.EventEnvelope;
import io.benchline.events.PointerMoved;
import io.benchline.events.StationRun;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;

import java.util.function.BiFunction;
import java.util.function.Predicate;

/**
 * The incoming channels. Each parses the envelope; a message that is not a valid event of the channel's
 * type fails at once and goes to the channel's dead-letter topic. Handling failures are retried with backoff in
 * place, keeping the partition's order, and for as long as the database is away; the offset is committed only
 * after the handler's transaction committed.
 */
@ApplicationScoped
public class EventConsumers {
    public static final String DEPLOYMENT_REQUESTED = "deployment-requested";
    public static final String BUILD_STARTED = "build-started";
    public static final String BUILD_LOGS = "build-logs";
    public static final String BUILD_COMPLETED = "build-completed";
    public static final String POINTER_MOVED = "pointer-moved";
    public static final String STATION_RUNS = "station-runs";
    private static final Logger LOG = Logger.getLogger(EventConsumers.class);

    private final PushHandler pushes;
    private final BuildEvents builds;
    private final StationEvents stations;
    private final DeploymentServiceConfig config;
    private final DeadLetters deadLetters;
    private final DatabaseProbe database;

    public EventConsumers(PushHandler pushes, BuildEvents builds, StationEvents stations, DeploymentServiceConfig config,
            DeadLetters deadLetters, DatabaseProbe database) {
        this.deadLetters = deadLetters;
        this.database = database;
        this.pushes = pushes;
        this.builds = builds;
        this.stations = stations;
        this.config = config;
    }

    @Incoming(DEPLOYMENT_REQUESTED)
    public Uni<Void> onDeploymentRequested(String payload) {
        return handle(DEPLOYMENT_REQUESTED, payload, DeploymentRequested.class,
                e -> e.orgId() != null && e.deliveryId() != null && e.refName() != null, pushes::handle);
    }

    @Incoming(BUILD_STARTED)
    public Uni<Void> onBuildStarted(String payload) {
        return handle(BUILD_STARTED, payload, BuildStarted.class, e -> e.deploymentId() != null, builds::started);
    }

    @Incoming(BUILD_LOGS)
    public Uni<Void> onBuildLogs(String payload) {
        return handle(BUILD_LOGS, payload, BuildLogs.class, e -> e.deploymentId() != null && e.lines() != null
                && e.lines().stream().allMatch(l -> l != null && l.number() > 0), builds::logs);
    }

    @Incoming(BUILD_COMPLETED)
    public Uni<Void> onBuildCompleted(String payload) {
        return handle(BUILD_COMPLETED, payload, BuildCompleted.class, e -> e.deploymentId() != null
                && (BuildCompleted.READY.equals(e.outcome()) || BuildCompleted.FAILED.equals(e.outcome())),
                builds::completed);
    }

    /**
     * Pointer moves come by the thousand (one per station of a fan-out), so this channel takes them in batches
     * ({@code batch=true}) and stores a batch in one transaction. An unusable record goes to the dead-letter topic
     * on its own; the batch is retried as a whole, like a single event elsewhere.
     */
    @Incoming(POINTER_MOVED)
    public Uni<Void> onPointerMoved(ConsumerRecords<String, String> records) {
        List<StationEvents.Move> moves = new ArrayList<>();
        List<Uni<Void>> rejected = new ArrayList<>();
        for (ConsumerRecord<String, String> record : records) {
            try {
                EventEnvelope envelope = EventCodec.parse(record.value());
                PointerMoved move = EventCodec.data(envelope, PointerMoved.class);
                if (move.stationId() == null || move.procedureId() == null) {
                    throw new MalformedEventException("event " + envelope.id() + " lacks station_id or procedure_id");
                }
                moves.add(new StationEvents.Move(envelope.id(), move));
            } catch (MalformedEventException | NullPointerException e) {
                String reason = e instanceof MalformedEventException ? e.getMessage() : "message is not an event: " + e;
                LOG.warnf("%s: unusable message goes to the dead-letter topic: %s", POINTER_MOVED, reason);
                rejected.add(deadLetters.pointerMoved(record, reason));
            }
        }
        Uni<Void> dead = rejected.isEmpty() ? Uni.createFrom().voidItem()
                : Uni.join().all(rejected).andFailFast().replaceWithVoid();
        return dead.chain(() -> retried(POINTER_MOVED, "a batch of " + moves.size() + " moves",
                () -> stations.pointersMoved(moves)));
    }

    @Incoming(STATION_RUNS)
    public Uni<Void> onStationRun(String payload) {
        return handle(STATION_RUNS, payload, StationRun.class, e -> e.runId() != null && e.stationId() != null
                && e.deploymentId() != null && e.procedureId() != null && e.phase() != null, stations::run);
    }

    private <T> Uni<Void> handle(String channel, String payload, Class<T> type, Predicate<T> complete,
            BiFunction<String, T, Uni<?>> handler) {
        EventEnvelope envelope;
        T data;
        try {
            envelope = EventCodec.parse(payload);
            data = EventCodec.data(envelope, type);
            if (!complete.test(data)) {
                throw new MalformedEventException("event " + envelope.id() + " lacks required fields of "
                        + type.getSimpleName());
            }
        } catch (MalformedEventException | NullPointerException e) {
            LOG.warnf("%s: unusable message goes to the dead-letter topic: %s", channel, e.getMessage());
            return Uni.createFrom().failure(e instanceof MalformedEventException ? e
                    : new MalformedEventException("message is not an event: " + e));
        }
        String eventId = envelope.id();
        return retried(channel, "event " + eventId, () -> handler.apply(eventId, data));
    }

    /**
     * Runs the handler with retries ({@code max-attempts}, backoff); when they are used up the failure goes on (to the
     * channel's dead-letter topic), unless the database is away: then the failure is not the event's, so the handler
     * is tried again for as long as the outage lasts. A valid event sent to the dead-letter topic is a lost effect
     * (a push that never becomes a deployment).
     */
    private Uni<Void> retried(String channel, String what, java.util.function.Supplier<Uni<?>> handler) {
        var consumer = config.consumer();
        return Uni.createFrom().deferred(() -> handler.get().replaceWithVoid())
                .onFailure().invoke(f -> LOG.warnf("%s: handling %s failed, retrying: %s", channel, what, f))
                .onFailure().retry().withBackOff(consumer.initialBackoff(), consumer.maxBackoff())
                .atMost(Math.max(0, consumer.maxAttempts() - 1))
                .onFailure().recoverWithUni(f -> database.answers().chain(up -> {
                    if (up) {
                        return Uni.createFrom().failure(f);
                    }
                    LOG.warnf("%s: the database is away; %s waits until it answers", channel, what);
                    return retried(channel, what, handler);
                }));
    }
}
