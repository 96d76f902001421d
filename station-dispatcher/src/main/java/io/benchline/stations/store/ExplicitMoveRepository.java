package io.benchline.stations.store;

import io.benchline.common.tracing.TraceParent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;

/**
 * Moves a caller asks for by name: pins (one station or many in one statement), the check and tombstone of a
 * delete, and the station history they write. Every statement is set-based, native SQL.
 */
@ApplicationScoped
public class ExplicitMoveRepository {

    /** A named station as a pin sees it: whether it is the organization's, and its link of the procedure. */
    /** @param development the station is marked for development deployments */
    public record StationLink(String stationId, boolean exists, String environment, String branch,
            boolean development) {
        public boolean linked() {
            return environment != null;
        }
    }

    /** One pinned pointer: moved when it named another deployment before. */
    public record Pinned(String stationId, String fromDeploymentId, long pointerVersion, boolean moved) {
    }

    /** The pointers that name a deployment: a few station ids and how many there are. */
    public record Naming(List<String> stations, long count) {
    }

    /*
     * The pin of many stations as one statement. `target` holds the deployment's row in share mode and is empty
     * unless it is deployable (invariant 6); `chunk` locks the named pointers whose station and link fit
     * (invariants 7 and 9); `pinned` sets them explicitly (a pin may go back to an older deployment) and counts
     * a version only where the deployment changes; `history` records each pin.
     */
    private static final String PIN = """
            with target as (
                select d.id, d.sequence, d.environment, d.branch from deployments d
                where d.id = ?1 and d.org_id = ?2 and d.procedure_id = ?3
                  -- invariant 6: only a ready, not deleted deployment with an artifact
                  and d.status = 'ready' and not d.deleted and d.artifact_digest is not null
                for share of d
            ),
            chunk as (
                select p.station_id, p.deployment_id as from_deployment_id,
                    p.deployment_id is distinct from t.id as moves
                from pointers p
                join links l on l.station_id = p.station_id and l.procedure_id = p.procedure_id
                join stations s on s.id = p.station_id
                cross join target t
                where p.procedure_id = ?3 and p.station_id = any(string_to_array(cast(?4 as text), ','))
                  -- invariant 9: stations of the deployment's organization only
                  and s.org_id = ?2
                  -- invariant 7: production links take production deployments; a preview link only its branch's
                  -- (or an upload's, which has no branch); a development deployment only a development station
                  and ((t.environment = 'development' and s.development)
                    or (l.environment = t.environment
                        and (t.environment = 'production' or t.branch is null or l.branch = t.branch)))
                for update of p
            ),
            pinned as (
                update pointers p
                set deployment_id = t.id, sequence = t.sequence,
                    pointer_version = p.pointer_version + case when c.moves then 1 else 0 end,
                    moved_at = case when c.moves then now() else p.moved_at end,
                    traceparent = case when c.moves then cast(?8 as text) else p.traceparent end,
                    tracestate = case when c.moves then cast(?9 as text) else p.tracestate end,
                    pinned_at = now(), pinned_by_key_id = cast(?5 as text), pinned_by_name = cast(?6 as text)
                from target t, chunk c
                where p.procedure_id = ?3 and p.station_id = c.station_id
                returning p.station_id, c.from_deployment_id, p.pointer_version, c.moves
            ),
            history as (
                insert into station_history (station_id, org_id, procedure_id, action, reason, from_deployment_id,
                    to_deployment_id, pointer_version, actor_key_id, actor_name, note, at)
                select m.station_id, ?2, ?3, 'pin', 'pin', m.from_deployment_id, ?1, m.pointer_version,
                    cast(?5 as text), cast(?6 as text), cast(?7 as text), now()
                from pinned m
            )
            select station_id, from_deployment_id, pointer_version, moves from pinned order by station_id
            """;

    /** For each named station: is it the organization's, and how is it linked to the procedure. */
    public Uni<List<StationLink>> links(String orgId, String procedureId, List<String> stationIds) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                        select n.id, s.id is not null, l.environment, l.branch, coalesce(s.development, false)
                        from unnest(string_to_array(cast(?1 as text), ',')) as n(id)
                        left join stations s on s.id = n.id and s.org_id = ?2
                        left join links l on l.station_id = s.id and l.procedure_id = ?3
                        order by n.id""", Object[].class)
                .setParameter(1, String.join(",", stationIds))
                .setParameter(2, orgId)
                .setParameter(3, procedureId)
                .getResultList())
                .map(rows -> rows.stream().map(r -> new StationLink((String) r[0], (Boolean) r[1], (String) r[2],
                        (String) r[3], (Boolean) r[4])).toList());
    }

    /** Pins the stations' pointers of the deployment's procedure to it; returns the pointers pinned. */
    public Uni<List<Pinned>> pin(String deploymentId, String orgId, String procedureId, List<String> stationIds,
            String actorKeyId, String actorName, String note) {
        TraceParent trace = TraceParent.current(); // the pin request's: the agent's assignment continues it
        return Panache.getSession().chain(session -> session.createNativeQuery(PIN, Object[].class)
                .setParameter(1, deploymentId)
                .setParameter(2, orgId)
                .setParameter(3, procedureId)
                .setParameter(4, String.join(",", stationIds))
                .setParameter(5, actorKeyId)
                .setParameter(6, actorName)
                .setParameter(7, note)
                .setParameter(8, trace == null ? null : trace.traceparent())
                .setParameter(9, trace == null ? null : trace.tracestate())
                .getResultList())
                .map(rows -> {
                    List<Pinned> pinned = new ArrayList<>(rows.size());
                    for (Object[] r : rows) {
                        pinned.add(new Pinned((String) r[0], (String) r[1], ((Number) r[2]).longValue(),
                                (Boolean) r[3]));
                    }
                    return pinned;
                });
    }

    /** Records one history line (unpin, unlink, or a single move made through the ORM). */
    public Uni<Void> record(String stationId, String orgId, String procedureId, String action, String reason,
            String fromDeploymentId, String toDeploymentId, Long pointerVersion, String actorKeyId, String actorName,
            String note) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                        insert into station_history (station_id, org_id, procedure_id, action, reason,
                            from_deployment_id, to_deployment_id, pointer_version, actor_key_id, actor_name, note, at)
                        values (?1, ?2, ?3, ?4, cast(?5 as text), cast(?6 as text), cast(?7 as text),
                            cast(?8 as bigint), cast(?9 as text), cast(?10 as text), cast(?11 as text), now())""")
                .setParameter(1, stationId)
                .setParameter(2, orgId)
                .setParameter(3, procedureId)
                .setParameter(4, action)
                .setParameter(5, reason)
                .setParameter(6, fromDeploymentId)
                .setParameter(7, toDeploymentId)
                .setParameter(8, pointerVersion)
                .setParameter(9, actorKeyId)
                .setParameter(10, actorName)
                .setParameter(11, note)
                .executeUpdate())
                .replaceWithVoid();
    }

    /**
     * Takes the deployment's projection row for update, creating it when no event of it has arrived yet, so that
     * every pin and chunk that would name it waits for the caller's transaction (they hold it in share mode).
     */
    public Uni<Void> lockForDelete(String deploymentId, String orgId, String procedureId, long sequence,
            String environment, String branch, String status) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                        insert into deployments (id, org_id, procedure_id, sequence, environment, branch, status,
                            deleted, updated_at)
                        values (?1, ?2, ?3, ?4, ?5, cast(?6 as text), ?7, false, now())
                        on conflict (id) do update set updated_at = now()""")
                .setParameter(1, deploymentId)
                .setParameter(2, orgId)
                .setParameter(3, procedureId)
                .setParameter(4, sequence)
                .setParameter(5, environment)
                .setParameter(6, branch)
                .setParameter(7, status)
                .executeUpdate())
                .replaceWithVoid();
    }

    /** The pointers (desired, pinned or not) that name the deployment: up to {@code limit} stations and the count. */
    public Uni<Naming> naming(String deploymentId, String procedureId, int limit) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                        select station_id, count(*) over () from pointers
                        where procedure_id = ?1 and deployment_id = ?2
                        order by station_id limit ?3""", Object[].class)
                .setParameter(1, procedureId)
                .setParameter(2, deploymentId)
                .setParameter(3, limit)
                .getResultList())
                .map(rows -> new Naming(rows.stream().map(r -> (String) r[0]).toList(),
                        rows.isEmpty() ? 0 : ((Number) rows.get(0)[1]).longValue()));
    }

    /** Marks the deployment deleted; from the commit on no pin or chunk can name it. */
    public Uni<Void> tombstone(String deploymentId) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                        "update deployments set deleted = true, updated_at = now() where id = ?1")
                .setParameter(1, deploymentId)
                .executeUpdate())
                .replaceWithVoid();
    }
}
