package io.benchline.stations.rollouts;

import io.benchline.common.outbox.Outbox;
import io.benchline.events.ActorRef;
import io.benchline.events.EventCodec;
import io.benchline.events.EventTypes;
import io.benchline.events.RolloutEvent;
import io.benchline.events.Topics;
import io.benchline.stations.app.PointerMover;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The rollout tables, in native SQL, and the {@code rollout.events} each change publishes; callers hold the
 * transaction (and the procedure lock for changes).
 */
@ApplicationScoped
public class RolloutStore {
    private static final String COLUMNS = "id, org_id, procedure_id, deployment_id, state, cast(stages as text), stage,"
            + " station_count, wait_seconds, advance_at, paused_remaining_ms, from_plan, created_by_key_id,"
            + " created_by_name, created_at, updated_at, finished_at, cast(gate as text), stage_started_at,"
            + " attention_reason";

    /** A rollout row. {@code stagesJson}: the resolved stages. */
    public record Row(String id, String orgId, String procedureId, String deploymentId, String state, String stagesJson,
            int stage, int stationCount, Long waitSeconds, Instant advanceAt, Long pausedRemainingMs, boolean fromPlan,
            String createdByKeyId, String createdByName, Instant createdAt, Instant updatedAt, Instant finishedAt,
            String gateJson, Instant stageStartedAt, String attentionReason) {
        public boolean active() {
            return Rollouts.RUNNING.equals(state) || Rollouts.PAUSED.equals(state)
                    || Rollouts.NEEDS_ATTENTION.equals(state);
        }
    }

    /**
     * How far one stage got: its stations, those whose pointer names the deployment (desired), whose agent has it
     * staged or draining towards it, and whose agent runs it (actual).
     */
    public record StageCount(int stage, long stations, long moved, long staged, long active) {
    }

    /**
     * One station of a rollout: its rank and whether it is a canary, the deployment it came from, and its pointer now
     * (desired, the deployment its agent has staged or drains towards, actual, the agent's state and since when it has
     * had one staged). The pointer's fields are null when the station has none any more (unlinked).
     */
    public record StationRow(int rank, String stationId, String name, boolean canary, String fromDeploymentId,
            String desiredDeploymentId, String stagedDeploymentId, String actualDeploymentId, String agentState,
            Instant stagedSince) {
    }

    public record HistoryEntry(Instant at, String action, Integer stage, String actorKeyId, String actorName,
            String note, String figuresJson) {
    }

    public record Plan(String procedureId, String orgId, String stagesJson, Long waitSeconds, String canaries,
            Instant updatedAt) {
    }

    private final Outbox outbox;

    public RolloutStore(Outbox outbox) {
        this.outbox = outbox;
    }

    public Uni<Void> insert(Row r) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        insert into rollouts (id, org_id, procedure_id, deployment_id, state, stages, stage,
                            station_count, wait_seconds, advance_at, paused_remaining_ms, from_plan, created_by_key_id,
                            created_by_name, created_at, updated_at, gate, stage_started_at)
                        values (?1, ?2, ?3, ?4, ?5, cast(cast(?6 as text) as jsonb), ?7, ?8, cast(?9 as bigint),
                            cast(?10 as timestamptz), null, ?11, cast(?12 as text), cast(?13 as text), now(), now(),
                            cast(cast(?14 as text) as jsonb), now())""")
                .setParameter(1, r.id()).setParameter(2, r.orgId()).setParameter(3, r.procedureId())
                .setParameter(4, r.deploymentId()).setParameter(5, r.state()).setParameter(6, r.stagesJson())
                .setParameter(7, r.stage()).setParameter(8, r.stationCount()).setParameter(9, r.waitSeconds())
                .setParameter(10, at(r.advanceAt())).setParameter(11, r.fromPlan())
                .setParameter(12, r.createdByKeyId()).setParameter(13, r.createdByName())
                .setParameter(14, r.gateJson())
                .executeUpdate()).replaceWithVoid();
    }

    /**
     * Snapshots the procedure's production stations of the organization into the rollout, in one statement:
     * the canaries first in the order given, then the others in a fixed order of md5(rollout id, station id), each
     * with the deployment its pointer names now. Returns how many stations it covers.
     */
    public Uni<Integer> snapshotStations(String rolloutId, String orgId, String procedureId, List<String> canaries) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        insert into rollout_stations (rollout_id, station_id, rank, from_deployment_id, canary)
                        select ?1, l.station_id,
                            row_number() over (order by c.pos nulls last, md5(?1 || l.station_id)) - 1,
                            p.deployment_id, c.pos is not null
                        from links l
                        join stations s on s.id = l.station_id and s.org_id = ?2
                        left join pointers p on p.station_id = l.station_id and p.procedure_id = l.procedure_id
                        left join unnest(string_to_array(cast(?4 as text), ',')) with ordinality as c(id, pos)
                            on c.id = l.station_id
                        where l.procedure_id = ?3 and l.environment = 'production'""")
                .setParameter(1, rolloutId).setParameter(2, orgId).setParameter(3, procedureId)
                .setParameter(4, String.join(",", canaries))
                .executeUpdate());
    }

    /** The canaries the snapshot found (production stations of the procedure). */
    public Uni<List<String>> canariesFound(String rolloutId) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "select station_id from rollout_stations where rollout_id = ?1 and canary", String.class)
                .setParameter(1, rolloutId).getResultList());
    }

    public Uni<Row> lock(String id) {
        return one("select " + COLUMNS + " from rollouts where id = ?1 for update", id);
    }

    public Uni<Row> find(String id) {
        return one("select " + COLUMNS + " from rollouts where id = ?1", id);
    }

    /** The procedure's running or paused rollout, locked; null when it has none. */
    public Uni<Row> lockActive(String procedureId) {
        return one("select " + COLUMNS + " from rollouts where procedure_id = ?1"
                + " and state in ('running', 'paused', 'needs_attention') for update", procedureId);
    }

    public Uni<List<Row>> list(String orgId, String procedureId, int limit) {
        return Panache.getSession().chain(s -> s.createNativeQuery("select " + COLUMNS + " from rollouts"
                        + " where org_id = ?1 and (cast(?2 as text) is null or procedure_id = ?2)"
                        + " order by id desc limit ?3", Object[].class)
                .setParameter(1, orgId).setParameter(2, procedureId).setParameter(3, limit).getResultList())
                .map(rows -> rows.stream().map(RolloutStore::row).toList());
    }

    /** The stages resolved against the stations the snapshot found. */
    public Uni<Void> setStages(String id, String stagesJson, int stationCount) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "update rollouts set stages = cast(cast(?2 as text) as jsonb), station_count = ?3 where id = ?1")
                .setParameter(1, id).setParameter(2, stagesJson).setParameter(3, stationCount).executeUpdate())
                .replaceWithVoid();
    }

    public Uni<Void> update(String id, String state, int stage, Instant advanceAt, Long pausedRemainingMs) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        update rollouts set state = ?2, stage = ?3, advance_at = cast(?4 as timestamptz),
                            paused_remaining_ms = cast(?5 as bigint), updated_at = now(),
                            finished_at = case when ?2 in ('completed', 'aborted', 'superseded') then now() end,
                            attention_reason = case when ?2 = 'needs_attention' then attention_reason end
                        where id = ?1""")
                .setParameter(1, id).setParameter(2, state).setParameter(3, stage).setParameter(4, at(advanceAt))
                .setParameter(5, pausedRemainingMs).executeUpdate()).replaceWithVoid();
    }

    public Uni<Void> record(String rolloutId, String action, Integer stage, String actorKeyId, String actorName,
            String note) {
        return record(rolloutId, action, stage, actorKeyId, actorName, note, null);
    }

    /**
     * One change of a rollout: its history entry and its {@code rollout.events} event, in the caller's transaction.
     * Callers record after they changed the row, so the event carries the state after the change, read here (every
     * change of a rollout passes through this, the rare ones of the platform too: one more statement each).
     *
     * @param figuresJson the gate's figures that made the decision, or null (kept in the history only)
     */
    public Uni<Void> record(String rolloutId, String action, Integer stage, String actorKeyId, String actorName,
            String note, String figuresJson) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        insert into rollout_history (rollout_id, at, action, stage, actor_key_id, actor_name, note,
                            figures)
                        values (?1, now(), ?2, cast(?3 as integer), cast(?4 as text), cast(?5 as text),
                            cast(?6 as text), cast(cast(?7 as text) as jsonb))""")
                .setParameter(1, rolloutId).setParameter(2, action).setParameter(3, stage)
                .setParameter(4, actorKeyId).setParameter(5, actorName).setParameter(6, note)
                .setParameter(7, figuresJson)
                .executeUpdate())
                .chain(() -> find(rolloutId))
                .chain(r -> outbox.append(Topics.ROLLOUT_EVENTS, r.id(), "rollout",
                        EventCodec.envelope(EventTypes.ROLLOUT_CHANGED, PointerMover.SOURCE, r.id(),
                                new RolloutEvent(r.id(), r.orgId(), r.procedureId(), r.deploymentId(), action,
                                        r.state(), stage == null ? r.stage() : stage,
                                        new ActorRef(actorKeyId, actorName), note))));
    }

    /** A new stage starts now: its window for the gate begins here. */
    public Uni<Void> startStage(String id, String state, int stage, Instant advanceAt) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        update rollouts set state = ?2, stage = ?3, advance_at = cast(?4 as timestamptz),
                            paused_remaining_ms = null, stage_started_at = now(), attention_reason = null,
                            updated_at = now(), finished_at = case when ?2 = 'completed' then now() end
                        where id = ?1""")
                .setParameter(1, id).setParameter(2, state).setParameter(3, stage).setParameter(4, at(advanceAt))
                .executeUpdate()).replaceWithVoid();
    }

    /** The gate had too few runs by its timeout: nothing advances by itself any more. */
    public Uni<Void> needsAttention(String id, String reason) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        update rollouts set state = 'needs_attention', advance_at = null, attention_reason = ?2,
                            updated_at = now() where id = ?1""")
                .setParameter(1, id).setParameter(2, reason).executeUpdate()).replaceWithVoid();
    }

    /**
     * The runs of a procedure on one deployment finished since {@code since}: by outcome, the units and how many
     * passed on their first run in the window, the runs with a duration and the durations' mean and sample standard
     * deviation, in one statement.
     */
    public Uni<HealthGate.Figures> figures(String procedureId, String deploymentId, Instant since) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        with w as (
                            select serial_number, outcome, started_at, finished_at, duration_ms from runs
                            where procedure_id = ?1 and deployment_id = ?2 and finished_at >= ?3
                              and outcome is not null
                        ),
                        firsts as (
                            select distinct on (serial_number) serial_number, outcome from w
                            where serial_number is not null
                            order by serial_number, coalesce(started_at, finished_at)
                        )
                        select count(*), count(*) filter (where outcome = 'passed'),
                            count(*) filter (where outcome = 'failed'), count(*) filter (where outcome = 'error'),
                            (select count(*) from firsts), (select count(*) from firsts where outcome = 'passed'),
                            count(duration_ms), avg(duration_ms), stddev_samp(duration_ms)
                        from w""", Object[].class)
                .setParameter(1, procedureId).setParameter(2, deploymentId).setParameter(3, at(since))
                .getResultList())
                .map(rows -> {
                    Object[] r = rows.get(0);
                    return new HealthGate.Figures(((Number) r[0]).longValue(), ((Number) r[1]).longValue(),
                            ((Number) r[2]).longValue(), ((Number) r[3]).longValue(), ((Number) r[4]).longValue(),
                            ((Number) r[5]).longValue(), ((Number) r[6]).longValue(), decimal(r[7]), decimal(r[8]));
                });
    }

    public Uni<List<HistoryEntry>> history(String rolloutId, int limit) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        select at, action, stage, actor_key_id, actor_name, note, cast(figures as text)
                        from rollout_history
                        where rollout_id = ?1 order by id desc limit ?2""", Object[].class)
                .setParameter(1, rolloutId).setParameter(2, limit).getResultList())
                .map(rows -> rows.stream().map(r -> new HistoryEntry(instant(r[0]), (String) r[1],
                        r[2] == null ? null : ((Number) r[2]).intValue(), (String) r[3], (String) r[4], (String) r[5],
                        (String) r[6]))
                        .toList());
    }

    /**
     * Per stage (by the resolved targets, as {@code 2,5,20}): its stations, those whose pointer names the
     * deployment, those whose agent has it staged (or drains towards it), and those whose agent reports it, in one
     * aggregate.
     */
    public Uni<List<StageCount>> stageCounts(String rolloutId, String procedureId, String deploymentId,
            List<Integer> targets) {
        StringBuilder csv = new StringBuilder();
        for (Integer t : targets) {
            csv.append(csv.isEmpty() ? "" : ",").append(t);
        }
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        select (select count(*) from unnest(cast(string_to_array(cast(?4 as text), ',') as int[])) t
                                where t <= rs.rank) as stage,
                            count(*), count(*) filter (where p.deployment_id = ?3),
                            count(*) filter (where p.agent_state in ('staged', 'draining')
                                and p.agent_state_deployment_id = ?3),
                            count(*) filter (where p.actual_deployment_id = ?3)
                        from rollout_stations rs
                        left join pointers p on p.station_id = rs.station_id and p.procedure_id = ?2
                        where rs.rollout_id = ?1
                        group by 1 order by 1""", Object[].class)
                .setParameter(1, rolloutId).setParameter(2, procedureId).setParameter(3, deploymentId)
                .setParameter(4, csv.toString()).getResultList())
                .map(rows -> rows.stream().map(r -> new StageCount(((Number) r[0]).intValue(),
                        ((Number) r[1]).longValue(), ((Number) r[2]).longValue(), ((Number) r[3]).longValue(),
                        ((Number) r[4]).longValue()))
                        .toList());
    }

    /**
     * Up to {@code limit} stations of the rollout ranked from {@code fromRank} (inclusive) to {@code toRank}
     * (exclusive) and after {@code afterRank}, in rank order: keyset paging over {@code rollout_stations_rank}, with
     * each station's name and its pointer of the procedure.
     */
    public Uni<List<StationRow>> stations(String rolloutId, String procedureId, int fromRank, int toRank,
            int afterRank, int limit) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        select rs.rank, rs.station_id, st.name, rs.canary, rs.from_deployment_id, p.deployment_id,
                            case when p.agent_state in ('staged', 'draining') then p.agent_state_deployment_id end,
                            p.actual_deployment_id, p.agent_state, p.staged_since
                        from rollout_stations rs
                        left join stations st on st.id = rs.station_id
                        left join pointers p on p.station_id = rs.station_id and p.procedure_id = ?2
                        where rs.rollout_id = ?1 and rs.rank >= ?3 and rs.rank < ?4 and rs.rank > ?5
                        order by rs.rank limit ?6""", Object[].class)
                .setParameter(1, rolloutId).setParameter(2, procedureId).setParameter(3, fromRank)
                .setParameter(4, toRank).setParameter(5, afterRank).setParameter(6, limit).getResultList())
                .map(rows -> rows.stream().map(r -> new StationRow(((Number) r[0]).intValue(), (String) r[1],
                        (String) r[2], (Boolean) r[3], (String) r[4], (String) r[5], (String) r[6], (String) r[7],
                        (String) r[8], instant(r[9]))).toList());
    }

    /** The deployments the rollout's stations ranked below {@code maxRank} came from (an abort sends them back). */
    public Uni<List<String>> fromDeployments(String rolloutId, int maxRank) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        select distinct from_deployment_id from rollout_stations
                        where rollout_id = ?1 and rank < ?2 and from_deployment_id is not null""", String.class)
                .setParameter(1, rolloutId).setParameter(2, maxRank).getResultList());
    }

    /** The deployment most of the rollout's stations came from (shown as the previous deployment). */
    public Uni<String> mostCommonFrom(String rolloutId) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        select from_deployment_id from rollout_stations
                        where rollout_id = ?1 and from_deployment_id is not null
                        group by from_deployment_id order by count(*) desc, from_deployment_id limit 1""", String.class)
                .setParameter(1, rolloutId).getResultList()).map(l -> l.isEmpty() ? null : l.get(0));
    }

    public Uni<Plan> plan(String procedureId) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        select procedure_id, org_id, cast(stages as text), wait_seconds, canary_station_ids, updated_at
                        from rollout_plans where procedure_id = ?1""", Object[].class)
                .setParameter(1, procedureId).getResultList())
                .map(rows -> rows.isEmpty() ? null : new Plan((String) rows.get(0)[0], (String) rows.get(0)[1],
                        (String) rows.get(0)[2], rows.get(0)[3] == null ? null : ((Number) rows.get(0)[3]).longValue(),
                        (String) rows.get(0)[4], instant(rows.get(0)[5])));
    }

    public Uni<Void> savePlan(Plan p) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        insert into rollout_plans (procedure_id, org_id, stages, wait_seconds, canary_station_ids,
                            updated_at)
                        values (?1, ?2, cast(cast(?3 as text) as jsonb), cast(?4 as bigint), ?5, now())
                        on conflict (procedure_id) do update set stages = excluded.stages,
                            wait_seconds = excluded.wait_seconds, canary_station_ids = excluded.canary_station_ids,
                            updated_at = now()""")
                .setParameter(1, p.procedureId()).setParameter(2, p.orgId()).setParameter(3, p.stagesJson())
                .setParameter(4, p.waitSeconds()).setParameter(5, p.canaries()).executeUpdate()).replaceWithVoid();
    }

    public Uni<Integer> deletePlan(String procedureId) {
        return Panache.getSession().chain(s -> s.createNativeQuery("delete from rollout_plans where procedure_id = ?1")
                .setParameter(1, procedureId).executeUpdate());
    }

    /** Whether automatic fan-out already took the deployment (a rollout of it would come too late). */
    public Uni<Boolean> fannedOut(String deploymentId) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "select count(*) from fanout_jobs where deployment_id = ?1 and reason in ('auto', 'promote')",
                        Long.class).setParameter(1, deploymentId).getSingleResult()).map(n -> n > 0);
    }

    private Uni<Row> one(String sql, String param) {
        return Panache.getSession().chain(s -> s.createNativeQuery(sql, Object[].class).setParameter(1, param)
                .getResultList()).map(rows -> rows.isEmpty() ? null : row(rows.get(0)));
    }

    private static Row row(Object[] r) {
        return new Row((String) r[0], (String) r[1], (String) r[2], (String) r[3], (String) r[4], (String) r[5],
                ((Number) r[6]).intValue(), ((Number) r[7]).intValue(),
                r[8] == null ? null : ((Number) r[8]).longValue(), instant(r[9]),
                r[10] == null ? null : ((Number) r[10]).longValue(), (Boolean) r[11], (String) r[12], (String) r[13],
                instant(r[14]), instant(r[15]), instant(r[16]), (String) r[17], instant(r[18]), (String) r[19]);
    }

    private static Double decimal(Object value) {
        return value == null ? null : ((Number) value).doubleValue();
    }

    static Instant instant(Object value) {
        return io.benchline.stations.store.SqlTimes.instant(value);
    }

    private static OffsetDateTime at(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    static List<Integer> targets(List<StagePlan.Resolved> stages) {
        List<Integer> out = new ArrayList<>();
        stages.forEach(s -> out.add(s.target()));
        return out;
    }
}
