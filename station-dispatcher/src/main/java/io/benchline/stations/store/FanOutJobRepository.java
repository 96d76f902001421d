package io.benchline.stations.store;

import io.benchline.events.EventIds;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;

/**
 * Fan-out jobs and the set-based statement that moves one chunk of their pointers. Every statement here is
 * native SQL: a chunk is one {@code UPDATE ... RETURNING} over at most {@code limit} pointers, never a loop.
 */
@ApplicationScoped
public class FanOutJobRepository {
    /** The LISTEN/NOTIFY channel that wakes fan-out workers when a job was recorded. */
    public static final String CHANNEL = "benchline_fanout";

    /** An open job, locked for the caller's transaction. */
    public record Job(String id, String deploymentId, String orgId, String procedureId, String reason,
            String afterStation) {
    }

    /** One pointer of a chunk: moved (with its new version) or left alone ({@code pointerVersion} null). */
    public record ChunkRow(String stationId, String fromDeploymentId, Long pointerVersion, Long sequence) {
        public boolean moved() {
            return pointerVersion != null;
        }
    }

    /*
     * The rules of PointerMover.fits, as SQL. `target` is empty unless the deployment may be pointed at at all, so
     * an undeployable target moves nothing and the job ends on its next chunk. `page` walks the procedure's
     * pointers by station id; of those, `chunk` keeps the ones whose link and station fit, `moved` moves them.
     */
    private static final String MOVE_CHUNK = """
            with target as (
                select d.id, d.sequence, d.environment, d.branch
                from deployments d
                where d.id = ?1 and d.org_id = ?2 and d.procedure_id = ?3
                  -- invariant 6: only a ready, not deleted deployment with an artifact
                  and d.status = 'ready' and not d.deleted and d.artifact_digest is not null
            ),
            page as (
                -- the next pointers of the procedure after the cursor, by index; nothing when the target is not
                -- deployable, which ends the job
                select p.station_id from pointers p
                where p.procedure_id = ?3 and p.station_id > ?4 and exists (select 1 from target)
                order by p.station_id
                limit ?5
            ),
            chunk as (
                -- looked up by key (= any(array)), so every chunk costs the same wherever the cursor is
                select p.station_id, p.deployment_id as from_deployment_id
                from pointers p
                join links l on l.station_id = p.station_id and l.procedure_id = p.procedure_id
                join stations s on s.id = p.station_id
                cross join target t
                where p.procedure_id = ?3 and p.station_id = any(array(select station_id from page))
                  -- invariant 9: stations of the deployment's organization only
                  and s.org_id = ?2
                  -- invariant 7: production links take production deployments; a preview link only its branch's
                  and l.environment = t.environment
                  and (t.environment = 'production' or (t.environment = 'preview' and l.branch = t.branch))
                for update of p
            ),
            moved as (
                update pointers p
                set deployment_id = t.id, sequence = t.sequence, pointer_version = p.pointer_version + 1,
                    moved_at = now()
                from target t
                where p.procedure_id = ?3 and p.station_id = any(array(select station_id from chunk))
                  -- invariant 4: automatic moves go forward only
                  and (p.sequence is null or p.sequence < t.sequence)
                returning p.station_id, p.pointer_version, p.sequence
            )
            select g.station_id, c.from_deployment_id, m.pointer_version, m.sequence
            from page g
            left join chunk c on c.station_id = g.station_id
            left join moved m on m.station_id = g.station_id
            order by g.station_id
            """;

    /** Records a job once per (deployment, reason) and wakes the workers when the transaction commits. */
    public Uni<Boolean> record(String deploymentId, String orgId, String procedureId, String reason) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                        insert into fanout_jobs (id, deployment_id, org_id, procedure_id, reason, created_at)
                        values (?1, ?2, ?3, ?4, ?5, now())
                        on conflict (deployment_id, reason) do nothing""")
                .setParameter(1, EventIds.withPrefix("fan"))
                .setParameter(2, deploymentId)
                .setParameter(3, orgId)
                .setParameter(4, procedureId)
                .setParameter(5, reason)
                .executeUpdate()
                .call(rows -> session.createNativeQuery(
                                "select count(*) from (select pg_notify('" + CHANNEL + "', ?1)) n", Long.class)
                        .setParameter(1, procedureId).getSingleResult()))
                .map(rows -> rows == 1);
    }

    /** The oldest open job no other worker holds, locked until the transaction ends; null when there is none. */
    public Uni<Job> lockNextOpen() {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                        select id, deployment_id, org_id, procedure_id, reason, after_station
                        from fanout_jobs where finished_at is null
                        order by created_at, id limit 1 for update skip locked""", Object[].class)
                .getResultList())
                .map(rows -> rows.isEmpty() ? null : job(rows.get(0)));
    }

    /** Moves the next chunk of at most {@code limit} pointers after the job's cursor; returns every pointer looked at. */
    public Uni<List<ChunkRow>> moveChunk(Job job, int limit) {
        return Panache.getSession().chain(session -> session.createNativeQuery(MOVE_CHUNK, Object[].class)
                .setParameter(1, job.deploymentId())
                .setParameter(2, job.orgId())
                .setParameter(3, job.procedureId())
                .setParameter(4, job.afterStation())
                .setParameter(5, limit)
                .getResultList())
                .map(rows -> {
                    List<ChunkRow> chunk = new ArrayList<>(rows.size());
                    for (Object[] r : rows) {
                        chunk.add(new ChunkRow((String) r[0], (String) r[1], asLong(r[2]), asLong(r[3])));
                    }
                    return chunk;
                });
    }

    /** Advances the cursor past the chunk; a short chunk finishes the job. */
    public Uni<Void> advance(Job job, String lastStation, int moved, boolean finished) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                        update fanout_jobs set after_station = ?2, moved = moved + ?3,
                            finished_at = case when ?4 then now() else null end
                        where id = ?1""")
                .setParameter(1, job.id())
                .setParameter(2, lastStation == null ? job.afterStation() : lastStation)
                .setParameter(3, moved)
                .setParameter(4, finished)
                .executeUpdate())
                .replaceWithVoid();
    }

    private static Job job(Object[] r) {
        return new Job((String) r[0], (String) r[1], (String) r[2], (String) r[3], (String) r[4], (String) r[5]);
    }

    private static Long asLong(Object value) {
        return value == null ? null : ((Number) value).longValue();
    }
}
