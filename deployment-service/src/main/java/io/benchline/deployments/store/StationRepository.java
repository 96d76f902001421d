package io.benchline.deployments.store;

import io.benchline.deployments.model.Run;
import io.benchline.deployments.model.StationPointer;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The station pointer and run projections fed by station-dispatcher's events. */
@ApplicationScoped
public class StationRepository {

    /**
     * Stores the pointers of many moves in one statement; each pointer may appear once, and only a higher pointer
     * version replaces a stored one. Returns the rows changed.
     */
    public Uni<Integer> upsertPointers(java.util.Collection<io.benchline.events.PointerMoved> moves) {
        var rows = io.benchline.events.EventCodec.mapper().createArrayNode();
        for (var m : moves) {
            rows.addObject().put("station_id", m.stationId()).put("procedure_id", m.procedureId())
                    .put("org_id", m.orgId()).put("deployment_id", m.toDeploymentId())
                    .put("pointer_version", m.pointerVersion());
        }
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "insert into station_pointers (station_id, procedure_id, org_id, deployment_id, pointer_version, updated_at)"
                                + " select r->>'station_id', r->>'procedure_id', r->>'org_id', r->>'deployment_id',"
                                + " cast(r->>'pointer_version' as bigint), now()"
                                + " from jsonb_array_elements(cast(cast(?1 as text) as jsonb)) r"
                                + " on conflict (station_id, procedure_id) do update set deployment_id = excluded.deployment_id,"
                                + " pointer_version = excluded.pointer_version, org_id = excluded.org_id, updated_at = now()"
                                + " where station_pointers.pointer_version < excluded.pointer_version")
                .setParameter(1, rows.toString())
                .executeUpdate());
    }

    /** Notes the first time a pointer named each deployment: a rollback may only go back to one that ran. */
    public Uni<Integer> markDeployed(java.util.Collection<String> deploymentIds) {
        if (deploymentIds.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "update deployments set first_deployed_at = now()"
                                + " where id = any(string_to_array(cast(?1 as text), ',')) and first_deployed_at is null")
                .setParameter(1, String.join(",", deploymentIds))
                .executeUpdate());
    }

    /** Merges a run's started or finished report, in whichever order they arrive. */
    public Uni<Void> upsertRun(String runId, String stationId, String orgId, String deploymentId, String procedureId,
            Instant startedAt, Instant finishedAt, String outcome, Long durationMs, String serialNumber,
            String phases) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "insert into runs (run_id, station_id, org_id, deployment_id, procedure_id, started_at, finished_at,"
                                + " outcome, duration_ms, serial_number, phases)"
                                + " values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, cast(?10 as text), cast(?11 as text))"
                                + " on conflict (run_id) do update set"
                                + " started_at = coalesce(runs.started_at, excluded.started_at),"
                                + " finished_at = coalesce(excluded.finished_at, runs.finished_at),"
                                + " outcome = coalesce(excluded.outcome, runs.outcome),"
                                + " duration_ms = coalesce(excluded.duration_ms, runs.duration_ms),"
                                + " serial_number = coalesce(excluded.serial_number, runs.serial_number),"
                                + " phases = coalesce(excluded.phases, runs.phases)")
                .setParameter(1, runId).setParameter(2, stationId).setParameter(3, orgId)
                .setParameter(4, deploymentId).setParameter(5, procedureId)
                .setParameter(6, utc(startedAt)).setParameter(7, utc(finishedAt))
                .setParameter(8, outcome).setParameter(9, durationMs)
                .setParameter(10, serialNumber).setParameter(11, phases)
                .executeUpdate()).replaceWithVoid();
    }

    public Uni<List<StationPointer>> pointersNaming(String deploymentId) {
        return Panache.getSession().chain(s -> s.createSelectionQuery(
                        "from StationPointer where deploymentId = ?1 order by stationId", StationPointer.class)
                .setParameter(1, deploymentId).getResultList());
    }

    public Uni<List<Run>> runsOf(String deploymentId, int limit) {
        return Panache.getSession().chain(s -> s.createSelectionQuery(
                        "from Run where deploymentId = ?1 order by runId desc", Run.class)
                .setParameter(1, deploymentId).setMaxResults(limit).getResultList());
    }

    /** deployment id → number of station pointers naming it (its active stations). */
    public Uni<Map<String, Long>> activeStations(Collection<String> deploymentIds) {
        if (deploymentIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return Panache.getSession().chain(s -> s.createSelectionQuery(
                        "select deploymentId, count(*) from StationPointer where deploymentId in ?1 group by deploymentId",
                        Object[].class)
                .setParameter(1, deploymentIds).getResultList())
                .map(rows -> {
                    Map<String, Long> counts = new HashMap<>();
                    for (Object[] row : rows) {
                        counts.put((String) row[0], ((Number) row[1]).longValue());
                    }
                    return counts;
                });
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
