package io.benchline.stations.store;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/**
 * A station's timeline: pointer moves, pins, unpins and unlinks ({@code station_history}), what its agent did with
 * each deployment ({@code station_events}: downloading, installing, staged, active, failed) and its runs, newest
 * first, paged by (time, key). Each part is read by the station's index; a station has thousands of entries, not
 * millions, so the union is sorted per page.
 */
@ApplicationScoped
public class TimelineRepository {

    /** One entry; the fields that do not apply to its kind are null. */
    public record Entry(Instant at, String key, String kind, String reason, String procedureId,
            String fromDeploymentId, String deploymentId, Long pointerVersion, String actorName, String note,
            String outcome, String runId, String serialNumber) {
    }

    /** Records a change of the agent's state for a deployment, in the caller's transaction. */
    public Uni<Void> agentState(String stationId, String orgId, String procedureId, String deploymentId,
            String state, String reason) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        insert into station_events (station_id, org_id, procedure_id, deployment_id, state, reason, at)
                        values (?1, ?2, ?3, ?4, ?5, cast(?6 as text), now())""")
                .setParameter(1, stationId).setParameter(2, orgId).setParameter(3, procedureId)
                .setParameter(4, deploymentId).setParameter(5, state).setParameter(6, reason)
                .executeUpdate()).replaceWithVoid();
    }

    /** Up to {@code limit} entries older than the cursor (time and key of the last entry seen), newest first. */
    public Uni<List<Entry>> page(String stationId, Instant beforeAt, String beforeKey, int limit) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        select * from (
                            select h.at, 'h' || lpad(cast(h.seq as text), 20, '0') as key, h.action as kind,
                                h.reason, h.procedure_id, h.from_deployment_id, h.to_deployment_id as deployment_id,
                                h.pointer_version, h.actor_name, h.note, cast(null as text) as outcome,
                                cast(null as text) as run_id, cast(null as text) as serial_number
                            from station_history h where h.station_id = ?1
                            union all
                            select e.at, 'e' || lpad(cast(e.id as text), 20, '0'), e.state, e.reason, e.procedure_id,
                                null, e.deployment_id, null, null, null, null, null, null
                            from station_events e where e.station_id = ?1
                            union all
                            select coalesce(r.finished_at, r.started_at, r.created_at), 'r' || r.id,
                                case when r.finished_at is null then 'run_started' else 'run_finished' end, null,
                                r.procedure_id, null, r.deployment_id, null, null, null, r.outcome, r.id,
                                r.serial_number
                            from runs r where r.station_id = ?1
                        ) t
                        where cast(?2 as timestamptz) is null or (t.at, t.key) < (cast(?2 as timestamptz), cast(?3 as text))
                        order by t.at desc, t.key desc
                        limit ?4""", Object[].class)
                .setParameter(1, stationId)
                .setParameter(2, beforeAt == null ? null : beforeAt.atOffset(ZoneOffset.UTC))
                .setParameter(3, beforeKey)
                .setParameter(4, limit)
                .getResultList())
                .map(rows -> rows.stream().map(r -> new Entry(SqlTimes.instant(r[0]), (String) r[1], (String) r[2],
                        (String) r[3], (String) r[4], (String) r[5], (String) r[6],
                        r[7] == null ? null : ((Number) r[7]).longValue(), (String) r[8], (String) r[9],
                        (String) r[10], (String) r[11], (String) r[12])).toList());
    }
}
