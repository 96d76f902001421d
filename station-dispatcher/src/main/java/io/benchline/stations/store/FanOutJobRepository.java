package io.benchline.stations.store;

import io.benchline.common.tracing.TraceParent;
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
            String afterStation, Long controlVersion, String actorKeyId, String actorName, String note,
            Long seenControlVersion, TraceParent trace, String rolloutId, Integer rolloutMaxRank) {
    }

    /**
     * What a new job is for: the deployment, why, who asked, the control version of an explicit move, and for an
     * automatic one the control version its ready event was written at (null when it carried none).
     */
    public record NewJob(String deploymentId, String orgId, String procedureId, String reason, Long controlVersion,
            String actorKeyId, String actorName, String note, Long seenControlVersion, TraceParent trace,
            String rolloutId, Integer rolloutMaxRank) {

        public NewJob(String deploymentId, String orgId, String procedureId, String reason, Long controlVersion,
                String actorKeyId, String actorName, String note, Long seenControlVersion, TraceParent trace) {
            this(deploymentId, orgId, procedureId, reason, controlVersion, actorKeyId, actorName, note,
                    seenControlVersion, trace, null, null);
        }
    }

    /** A rollout stage's moves: forward, pins hold, stopped by a rollback pause. */
    public static final String ROLLOUT_STAGE = "rollout_stage";
    /** An aborted rollout's way back: to the deployment each station had, pins hold. */
    public static final String ROLLOUT_ABORT = "rollout_abort";

    /** One pointer of a chunk: moved (with its new version) or left alone ({@code pointerVersion} null). */
    public record ChunkRow(String stationId, String fromDeploymentId, Long pointerVersion, Long sequence) {
        public boolean moved() {
            return pointerVersion != null;
        }
    }

    /**
     * How a job's reason moves pointers. Automatic fan-out goes forward only, leaves pinned pointers alone and
     * stops while the procedure is paused; promote and rollback replace pins, and rollback goes back to an older
     * deployment. Explicit moves stop when a newer explicit move of the procedure exists (superseded).
     */
    record Rules(boolean forwardOnly, boolean replacePins, boolean stopWhilePaused) {
        static Rules of(String reason) {
            return switch (reason) {
                case "promote" -> new Rules(true, true, false);
                case "rollback" -> new Rules(false, true, false);
                case ROLLOUT_ABORT -> new Rules(false, false, false);
                default -> new Rules(true, false, true);
            };
        }
    }

    /*
     * The rules of PointerMover.fits, as SQL. `target` is empty unless the deployment may be pointed at at all, so
     * an undeployable target moves nothing and the job ends on its next chunk; it holds the deployment's row in
     * share mode, so a delete (which locks it for update and then looks for pointers naming it) cannot pass between
     * this chunk's check and its moves. `page` walks the procedure's pointers by station id; of those, `chunk`
     * keeps the ones whose link and station fit, `moved` moves them, `history` records each move.
     */
    private static final String MOVE_CHUNK = """
            with target as (
                select d.id, d.sequence, d.environment, d.branch
                from deployments d
                where d.id = ?1 and d.org_id = ?2 and d.procedure_id = ?3
                  -- invariant 6: only a ready, not deleted deployment with an artifact
                  and d.status = 'ready' and not d.deleted and d.artifact_digest is not null
                  -- a rollback pauses automatic fan-out until a resume or a promote: a pause applied after the
                  -- version the ready event was written at (deployment-service had not resumed yet, or paused again)
                  and (not ?8 or not exists (select 1 from procedure_controls c
                                             where c.procedure_id = ?3 and c.paused
                                               and c.control_version > coalesce(cast(?14 as bigint), 0)))
                  -- an explicit move stops once a newer control change of the procedure exists: a newer promote or
                  -- rollback job, or a newer control applied (a resume has no job; control events of different
                  -- deployments travel on different partitions, so a stale rollback can arrive after the resume)
                  -- or an automatic job whose ready event was written after a newer control change (its resume may
                  -- not be applied here yet: a stale rollback arriving after that job must not undo it)
                  and (cast(?9 as bigint) is null or (not exists (select 1 from fanout_jobs j
                        where j.procedure_id = ?3 and (j.control_version > cast(?9 as bigint)
                            or j.seen_control_version > cast(?9 as bigint)))
                    and not exists (select 1 from procedure_controls c
                        where c.procedure_id = ?3 and c.control_version > cast(?9 as bigint))))
                  -- a rollout stage moves only while its rollout goes on (an abort or a newer deployment ends it)
                  and (cast(?17 as text) is null or ?19 or exists (select 1 from rollouts r
                        where r.id = ?17 and r.state in ('running', 'paused', 'completed')))
                for share of d
            ),
            page as (
                -- the next pointers of the procedure after the cursor, by index; nothing when the target is not
                -- deployable, which ends the job
                select p.station_id from pointers p
                where p.procedure_id = ?3 and p.station_id > ?4 and exists (select 1 from target)
                  -- a rollout's job: only its stations ranked below the stage's target; its abort only those on
                  -- the rollout's deployment that came from this one
                  and (cast(?17 as text) is null or exists (select 1 from rollout_stations rs
                        join rollouts r on r.id = rs.rollout_id
                        where rs.rollout_id = ?17 and rs.station_id = p.station_id and rs.rank < ?18
                          and (not ?19 or (rs.from_deployment_id = ?1 and p.deployment_id = r.deployment_id))))
                  -- a stage does not look again at the stations an earlier stage moved (they would not move)
                  and (cast(?17 as text) is null or ?19 or p.deployment_id is distinct from ?1)
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
                    moved_at = now(), traceparent = cast(?15 as text), tracestate = cast(?16 as text),
                    pinned_at = case when ?7 then null else p.pinned_at end,
                    pinned_by_key_id = case when ?7 then null else p.pinned_by_key_id end,
                    pinned_by_name = case when ?7 then null else p.pinned_by_name end
                from target t
                where p.procedure_id = ?3 and p.station_id = any(array(select station_id from chunk))
                  and p.deployment_id is distinct from t.id
                  -- invariant 4: automatic moves go forward only; rollback sets the pointer explicitly
                  and (not ?6 or p.sequence is null or p.sequence < t.sequence)
                  -- a pin holds against automatic fan-out; promote and rollback replace it
                  and (?7 or p.pinned_at is null)
                returning p.station_id, p.pointer_version, p.sequence
            ),
            history as (
                insert into station_history (station_id, org_id, procedure_id, action, reason, from_deployment_id,
                    to_deployment_id, pointer_version, actor_key_id, actor_name, note, at)
                select m.station_id, ?2, ?3, 'move', ?13, c.from_deployment_id, ?1, m.pointer_version,
                    cast(?10 as text), cast(?11 as text), cast(?12 as text), now()
                from moved m join chunk c on c.station_id = m.station_id
            )
            select g.station_id, c.from_deployment_id, m.pointer_version, m.sequence
            from page g
            left join chunk c on c.station_id = g.station_id
            left join moved m on m.station_id = g.station_id
            order by g.station_id
            """;

    /** Records a job once per (deployment, reason, control version) and wakes the workers when the transaction commits. */
    public Uni<Boolean> record(NewJob job) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                        insert into fanout_jobs (id, deployment_id, org_id, procedure_id, reason, control_version,
                            actor_key_id, actor_name, note, seen_control_version, traceparent, tracestate, created_at,
                            rollout_id, rollout_max_rank)
                        values (?1, ?2, ?3, ?4, ?5, cast(?6 as bigint), cast(?7 as text), cast(?8 as text),
                            cast(?9 as text), cast(?10 as bigint), cast(?11 as text), cast(?12 as text), now(),
                            cast(?13 as text), cast(?14 as integer))
                        on conflict (deployment_id, reason, (coalesce(control_version, 0)), (coalesce(rollout_id, '')),
                            (coalesce(rollout_max_rank, 0))) do nothing""")
                .setParameter(1, EventIds.withPrefix("fan"))
                .setParameter(2, job.deploymentId())
                .setParameter(3, job.orgId())
                .setParameter(4, job.procedureId())
                .setParameter(5, job.reason())
                .setParameter(6, job.controlVersion())
                .setParameter(7, job.actorKeyId())
                .setParameter(8, job.actorName())
                .setParameter(9, job.note())
                .setParameter(10, job.seenControlVersion())
                .setParameter(11, job.trace() == null ? null : job.trace().traceparent())
                .setParameter(12, job.trace() == null ? null : job.trace().tracestate())
                .setParameter(13, job.rolloutId())
                .setParameter(14, job.rolloutMaxRank())
                .executeUpdate()
                .call(rows -> session.createNativeQuery(
                                "select count(*) from (select pg_notify('" + CHANNEL + "', ?1)) n", Long.class)
                        .setParameter(1, job.procedureId()).getSingleResult()))
                .map(rows -> rows == 1);
    }

    /** The oldest open job no other worker holds, locked until the transaction ends; null when there is none. */
    public Uni<Job> lockNextOpen() {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                        select id, deployment_id, org_id, procedure_id, reason, after_station, control_version,
                            actor_key_id, actor_name, note, seen_control_version, traceparent, tracestate, rollout_id,
                            rollout_max_rank
                        from fanout_jobs where finished_at is null
                        order by created_at, id limit 1 for update skip locked""", Object[].class)
                .getResultList())
                .map(rows -> rows.isEmpty() ? null : job(rows.get(0)));
    }

    /** Moves the next chunk of at most {@code limit} pointers after the job's cursor; returns every pointer looked at. */
    public Uni<List<ChunkRow>> moveChunk(Job job, int limit, TraceParent trace) {
        Rules rules = Rules.of(job.reason());
        return Panache.getSession().chain(session -> session.createNativeQuery(MOVE_CHUNK, Object[].class)
                .setParameter(1, job.deploymentId())
                .setParameter(2, job.orgId())
                .setParameter(3, job.procedureId())
                .setParameter(4, job.afterStation())
                .setParameter(5, limit)
                .setParameter(6, rules.forwardOnly())
                .setParameter(7, rules.replacePins())
                .setParameter(8, rules.stopWhilePaused())
                .setParameter(9, job.controlVersion())
                .setParameter(10, job.actorKeyId())
                .setParameter(11, job.actorName())
                .setParameter(12, job.note())
                .setParameter(13, job.reason())
                .setParameter(14, job.seenControlVersion())
                .setParameter(15, trace == null ? null : trace.traceparent())
                .setParameter(16, trace == null ? null : trace.tracestate())
                .setParameter(17, job.rolloutId())
                .setParameter(18, job.rolloutMaxRank() == null ? 0 : job.rolloutMaxRank())
                .setParameter(19, ROLLOUT_ABORT.equals(job.reason()))
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
        return new Job((String) r[0], (String) r[1], (String) r[2], (String) r[3], (String) r[4], (String) r[5],
                asLong(r[6]), (String) r[7], (String) r[8], (String) r[9], asLong(r[10]),
                TraceParent.of((String) r[11], (String) r[12]), (String) r[13],
                r[14] == null ? null : ((Number) r[14]).intValue());
    }

    private static Long asLong(Object value) {
        return value == null ? null : ((Number) value).longValue();
    }
}
