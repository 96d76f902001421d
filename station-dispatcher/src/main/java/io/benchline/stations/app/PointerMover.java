package io.benchline.stations.app;

import io.benchline.common.outbox.Outbox;
import io.benchline.common.tracing.TraceParent;
import io.benchline.events.ActorRef;
import io.benchline.events.EventCodec;
import io.benchline.events.EventTypes;
import io.benchline.events.PointerMoved;
import io.benchline.events.Topics;
import io.benchline.stations.model.Link;
import io.benchline.stations.model.Pointer;
import io.benchline.stations.model.ProjectedDeployment;
import io.benchline.stations.store.ExplicitMoveRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.Objects;

/**
 * Moves the pointer of a new link. Callers hold the procedure lock and a transaction.
 * Rules (invariants 4, 6, 7): only forward to a higher sequence, only to a ready, not deleted
 * deployment of the link's environment (and branch for preview), one outbox event per move.
 */
@ApplicationScoped
public class PointerMover {
    public static final String SOURCE = "/station-dispatcher";
    public static final String REASON_AUTO = "auto";

    private final Outbox outbox;
    private final AgentWakeups wakeups;
    private final ExplicitMoveRepository history;

    public PointerMover(Outbox outbox, AgentWakeups wakeups, ExplicitMoveRepository history) {
        this.outbox = outbox;
        this.wakeups = wakeups;
        this.history = history;
    }

    /**
     * Points a pointer row created in this transaction (no lock needed) at the newest deployable deployment.
     * Bulk moves go through {@link FanOutWorker}, whose SQL states the same rules as {@link #fits}.
     */
    public Uni<Boolean> moveNew(Link link, Pointer pointer, String orgId, ProjectedDeployment target, String reason) {
        if (!fits(link, orgId, target) || pointer.sequence != null) {
            return Uni.createFrom().item(false);
        }
        return move(pointer, orgId, target, reason).replaceWith(true);
    }

    static boolean fits(Link link, String orgId, ProjectedDeployment target) {
        if (target == null || !target.isDeployable() || !orgId.equals(target.orgId)
                || !link.procedureId.equals(target.procedureId)) {
            return false;
        }
        if (Link.PRODUCTION.equals(link.environment)) {
            return Link.PRODUCTION.equals(target.environment);
        }
        return Link.PREVIEW.equals(link.environment) && Link.PREVIEW.equals(target.environment)
                && Objects.equals(link.branch, target.branch);
    }

    private Uni<Void> move(Pointer pointer, String orgId, ProjectedDeployment target, String reason) {
        String from = pointer.deploymentId;
        pointer.deploymentId = target.id;
        pointer.sequence = target.sequence;
        pointer.pointerVersion = pointer.pointerVersion + 1;
        pointer.movedAt = Instant.now();
        TraceParent trace = TraceParent.current();
        pointer.traceparent = trace == null ? null : trace.traceparent();
        pointer.tracestate = trace == null ? null : trace.tracestate();
        PointerMoved moved = new PointerMoved(pointer.stationId, orgId, pointer.procedureId, from, target.id, reason,
                pointer.pointerVersion);
        return outbox.append(Topics.STATION_POINTER_MOVED, pointer.stationId, "station",
                        EventCodec.envelope(EventTypes.POINTER_MOVED, SOURCE, pointer.stationId, moved))
                .chain(() -> history.record(pointer.stationId, orgId, pointer.procedureId, "move", reason, from,
                        target.id, pointer.pointerVersion, null, ActorRef.SYSTEM.name(), null))
                .chain(() -> wakeups.notifyStations(java.util.List.of(pointer.stationId)));
    }
}
