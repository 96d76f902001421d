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

    /** A pointer move and the id of the event that carried it. */
    public record Move(String eventId, PointerMoved move) {
    }

    /**
     * A batch of pointer moves in one transaction of three statements (dedup, upsert, first-deployed marks), however many there are: a
     * fan-out to a fleet sends one event per station. Of several moves of one pointer the highest version counts.
     *
     * @return the pointers changed
     */
    @WithTransaction
    public Uni<Integer> pointersMoved(java.util.List<Move> moves) {
        if (moves.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return processed.firstTimes(moves.stream().map(Move::eventId).toList(), POINTER_CONSUMER).chain(fresh -> {
            java.util.Map<String, PointerMoved> newest = new java.util.LinkedHashMap<>();
            for (Move m : moves) {
                if (fresh.contains(m.eventId())) {
                    newest.merge(m.move().stationId() + "\u0000" + m.move().procedureId(), m.move(),
                            (a, b) -> b.pointerVersion() > a.pointerVersion() ? b : a);
                }
            }
            if (newest.isEmpty()) {
                return Uni.createFrom().item(0);
            }
            java.util.Set<String> named = new java.util.TreeSet<>();
            newest.values().forEach(m -> {
                if (m.toDeploymentId() != null) {
                    named.add(m.toDeploymentId());
                }
            });
            return stations.upsertPointers(newest.values()).call(() -> stations.markDeployed(named));
        });
    }

    @WithTransaction
    public Uni<Void> run(String eventId, StationRun run) {
        boolean finished = "finished".equals(run.phase());
        return processed.firstTime(eventId, RUNS_CONSUMER).chain(first -> !first ? Uni.createFrom().voidItem()
                : stations.upsertRun(run.runId(), run.stationId(), run.orgId(), run.deploymentId(), run.procedureId(),
                        finished ? null : Clock.micros(run.at()), finished ? Clock.micros(run.at()) : null,
                        finished ? run.outcome() : null, finished ? run.durationMs() : null, run.serialNumber(),
                        finished && run.phases() != null ? StationRun.phasesJson(run.phases()) : null));
    }
}
