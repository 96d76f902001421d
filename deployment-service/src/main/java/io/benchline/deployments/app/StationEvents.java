package io.benchline.deployments.app;

import io.benchline.common.outbox.ProcessedEvents;
import io.benchline.deployments.store.StationRepository;
import io.benchline.events.PointerMoved;
import io.benchline.events.StationRun;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Keeps the projections behind active_stations and the runs of a deployment, from station-dispatcher's events. */
@ApplicationScoped
public class StationEvents {
    public static final String POINTER_CONSUMER = "deployment-service.pointer-moved";
    public static final String RUNS_CONSUMER = "deployment-service.station-runs";
    private final ProcessedEvents processed;
    private final StationRepository stations;

    public StationEvents(ProcessedEvents processed, StationRepository stations) {
        this.processed = processed;
        this.stations = stations;
    }

    /** @return true when the pointer changed; an older or equal pointer version changes nothing */
    @WithTransaction
    public Uni<Boolean> pointerMoved(String eventId, PointerMoved move) {
        return processed.firstTime(eventId, POINTER_CONSUMER).chain(first -> !first ? Uni.createFrom().item(false)
                : stations.upsertPointer(move.stationId(), move.procedureId(), move.orgId(), move.toDeploymentId(),
                        move.pointerVersion()).map(rows -> rows > 0));
    }

    @WithTransaction
    public Uni<Void> run(String eventId, StationRun run) {
        boolean finished = "finished".equals(run.phase());
        return processed.firstTime(eventId, RUNS_CONSUMER).chain(first -> !first ? Uni.createFrom().voidItem()
                : stations.upsertRun(run.runId(), run.stationId(), run.orgId(), run.deploymentId(), run.procedureId(),
                        finished ? null : Clock.micros(run.at()), finished ? Clock.micros(run.at()) : null,
                        finished ? run.outcome() : null, finished ? run.durationMs() : null));
    }
}
