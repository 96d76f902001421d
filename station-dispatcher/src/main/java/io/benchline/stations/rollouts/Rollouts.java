package io.benchline.stations.rollouts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.benchline.common.api.NotFound;
import io.benchline.common.api.ProblemException;
import io.benchline.common.auth.Actor;
import io.benchline.common.tracing.TraceParent;
import io.benchline.events.EventCodec;
import io.benchline.events.EventIds;
import io.benchline.stations.app.Ids;
import io.benchline.stations.app.Notes;
import io.benchline.stations.model.ProjectedDeployment;
import io.benchline.stations.store.DeploymentProjectionRepository;
import io.benchline.stations.store.FanOutJobRepository;
import io.benchline.stations.store.FanOutJobRepository.NewJob;
import io.benchline.stations.store.ProcedureLocks;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Rolling rollouts of a production deployment: stage by stage over the procedure's production stations (snapshotted
 * at creation, canaries first), each stage's moves a fan-out job limited to the stations ranked below the stage's
 * target, so they are the same set-based, chunked, resumable moves as any fan-out. Every change takes the
 * procedure's lock, then the rollout's row, and records a history entry in the same transaction; the stage timer is
 * {@code advance_at} in the row, so waits survive restarts.
 */
@ApplicationScoped
public class Rollouts {
    public static final String RUNNING = "running";
    public static final String PAUSED = "paused";
    public static final String COMPLETED = "completed";
    public static final String ABORTED = "aborted";
    public static final String SUPERSEDED = "superseded";
    /** The gate had too few runs by its timeout: an operator advances or aborts. */
    public static final String NEEDS_ATTENTION = "needs_attention";
    private static final Logger LOG = Logger.getLogger(Rollouts.class);
    private static final TypeReference<List<StagePlan.Resolved>> RESOLVED = new TypeReference<>() {
    };
    private static final TypeReference<List<StagePlan.Stage>> STAGES = new TypeReference<>() {
    };

    private final RolloutStore store;
    private final DeploymentProjectionRepository deployments;
    private final ProcedureLocks locks;
    private final FanOutJobRepository jobs;
    private final Duration gateInterval;

    public Rollouts(RolloutStore store, DeploymentProjectionRepository deployments, ProcedureLocks locks,
            FanOutJobRepository jobs,
            @org.eclipse.microprofile.config.inject.ConfigProperty(name = "benchline.rollouts.gate-interval",
                    defaultValue = "5s") Duration gateInterval) {
        this.gateInterval = gateInterval;
        this.store = store;
        this.deployments = deployments;
        this.locks = locks;
        this.jobs = jobs;
    }

    /** What a caller asks for; {@code wait} null: every stage advances by hand. */
    public record Request(String deploymentId, List<StagePlan.Stage> stages, Duration stageWait,
            List<String> canaries, String note, HealthGate.Gate gate) {
    }

    /**
     * Starts a rollout of a ready production deployment: 404 unknown, 409 {@code not-rollable} (not a ready
     * production deployment), {@code rollout-active} (the procedure has one), {@code already-fanned-out} (automatic
     * fan-out or a promote took it to every station already); 400 for stages that do not fit the fleet or canaries
     * that are not its production stations.
     */
    @WithTransaction
    public Uni<RolloutStore.Row> create(String orgId, Actor actor, Request request) {
        Ids.deployment("deployment_id", request.deploymentId());
        StagePlan.checkShape(request.stages());
        List<String> canaries = canaries(request.canaries());
        String note = Notes.check(request.note());
        return deployments.findById(request.deploymentId()).chain(d -> {
            if (d == null || !orgId.equals(d.orgId) || d.deleted) {
                throw new NotFound("deployment", request.deploymentId());
            }
            if (!d.isDeployable() || !"production".equals(d.environment)) {
                boolean building = "pending".equals(d.status) || "building".equals(d.status);
                throw ProblemException.conflict("not-rollable", "deployment " + d.id + " is a " + d.environment
                        + " deployment (" + d.status + "); only a ready production deployment is rolled out"
                        + (building ? " (station-dispatcher hears of a finished build from deployment.events, usually"
                                + " within a second of the API showing it ready: ask again then)" : ""));
            }
            return locks.lock(d.procedureId)
                    .chain(() -> store.lockActive(d.procedureId)).invoke(active -> {
                        if (active != null) {
                            throw ProblemException.conflict("rollout-active", "procedure " + d.procedureId
                                    + " has an active rollout, " + active.id() + " (" + active.state() + "): abort or"
                                    + " complete it first");
                        }
                    })
                    .chain(() -> store.fannedOut(d.id)).invoke(fannedOut -> {
                        if (fannedOut) {
                            throw ProblemException.conflict("already-fanned-out", "deployment " + d.id + " went to"
                                    + " every production station already (auto-push or promote); roll out with"
                                    + " auto-push off, or set the procedure's rollout plan");
                        }
                    })
                    .chain(() -> start(d, request.stages(), request.stageWait(), canaries, actor, note, true, false,
                            request.gate()));
        });
    }

    /**
     * A ready (or promoted) production deployment of a procedure with a plan: its rollout instead of automatic
     * fan-out. Called by the deployment-events handler, which holds the transaction; supersedes an older active one.
     * Stages that do not fit this fleet are dropped (the last reaches every station). Null when there is no plan.
     */
    public Uni<RolloutStore.Row> startFromPlan(ProjectedDeployment d) {
        return store.plan(d.procedureId).chain(plan -> {
            if (plan == null) {
                return Uni.createFrom().nullItem();
            }
            List<StagePlan.Stage> stages = read(plan.stagesJson(), STAGES);
            List<String> canaries = plan.canaries().isBlank() ? List.of() : List.of(plan.canaries().split(","));
            return locks.lock(d.procedureId)
                    .chain(() -> supersede(d))
                    .chain(() -> start(d, stages, plan.waitSeconds() == null ? null
                                    : Duration.ofSeconds(plan.waitSeconds()), canaries, Actor.SYSTEM,
                            "the procedure's rollout plan", false, true, null));
        });
    }

    /**
     * A newer production deployment ends the procedure's active rollout of an older one (state superseded, its stage
     * jobs stop); the newer one then fans out or rolls out on its own. Takes the procedure lock (again: it is
     * re-entrant within a transaction). Runs in the caller's transaction.
     */
    public Uni<Void> supersede(ProjectedDeployment newer) {
        return locks.lock(newer.procedureId).chain(() -> store.lockActive(newer.procedureId)).chain(active -> {
            if (active == null || active.deploymentId().equals(newer.id)) {
                return Uni.createFrom().voidItem();
            }
            return deployments.findById(active.deploymentId()).chain(old -> {
                if (old != null && old.sequence >= newer.sequence) {
                    return Uni.createFrom().voidItem();
                }
                LOG.infof("rollout %s of %s superseded by deployment %s", active.id(), active.deploymentId(), newer.id);
                return store.update(active.id(), SUPERSEDED, active.stage(), null, null)
                        .chain(() -> store.record(active.id(), "superseded", active.stage(), null, Actor.SYSTEM.name(),
                                "deployment " + newer.id + " is newer"));
            });
        });
    }

    private Uni<RolloutStore.Row> start(ProjectedDeployment d, List<StagePlan.Stage> stages, Duration wait,
            List<String> canaries, Actor actor, String note, boolean strict, boolean fromPlan, HealthGate.Gate gate) {
        String id = EventIds.withPrefix("rol");
        String gateJson = gate == null ? null : write(gate);
        RolloutStore.Row placeholder = new RolloutStore.Row(id, d.orgId, d.procedureId, d.id, RUNNING, "[]", 0, 0,
                wait == null ? null : wait.toSeconds(), null, null, fromPlan, actor.keyId(), actor.name(), null, null,
                null, gateJson, null, null);
        return store.insert(placeholder)
                .chain(() -> store.snapshotStations(id, d.orgId, d.procedureId, canaries))
                .chain(count -> store.canariesFound(id).chain(found -> {
                    if (strict && found.size() != canaries.size()) {
                        List<String> missing = canaries.stream().filter(c -> !found.contains(c)).toList();
                        throw ProblemException.invalid("canary_station_ids", "not production stations of procedure "
                                + d.procedureId + ": " + String.join(", ", missing));
                    }
                    if (count == 0) {
                        throw ProblemException.conflict("no-stations", "procedure " + d.procedureId + " has no"
                                + " production stations to roll out to");
                    }
                    List<StagePlan.Resolved> resolved = StagePlan.resolve(stages, count, strict);
                    return store.setStages(id, write(resolved), count)
                            .chain(() -> store.record(id, "created", 0, actor.keyId(), actor.name(), note))
                            .chain(() -> enterStage(store(id, d, resolved, count, wait, fromPlan, actor, gateJson),
                                    0, actor, null, null));
                }));
    }

    private static RolloutStore.Row store(String id, ProjectedDeployment d, List<StagePlan.Resolved> resolved,
            int count, Duration wait, boolean fromPlan, Actor actor, String gateJson) {
        return new RolloutStore.Row(id, d.orgId, d.procedureId, d.id, RUNNING, write(resolved), 0, count,
                wait == null ? null : wait.toSeconds(), null, null, fromPlan, actor.keyId(), actor.name(), null, null,
                null, gateJson, null, null);
    }

    static HealthGate.Gate gateOf(RolloutStore.Row r) {
        return r.gateJson() == null ? null : read(r.gateJson(), new TypeReference<HealthGate.Gate>() {
        });
    }

    /**
     * Moves the stations of stage {@code index} (a fan-out job up to its target) and sets the timer, or completes the
     * rollout when it is the last stage.
     */
    private Uni<RolloutStore.Row> enterStage(RolloutStore.Row r, int index, Actor actor, String note,
            String figuresJson) {
        List<StagePlan.Resolved> stages = read(r.stagesJson(), RESOLVED);
        int target = stages.get(index).target();
        boolean last = index == stages.size() - 1;
        HealthGate.Gate gate = gateOf(r);
        // A gated stage is first looked at after its minimum wait; an ungated one advances after the wait, if any.
        Instant advanceAt = last ? null : gate != null ? Instant.now().plusSeconds(gate.minWaitSeconds())
                : r.waitSeconds() != null ? Instant.now().plusSeconds(r.waitSeconds()) : null;
        String state = last ? COMPLETED : RUNNING;
        NewJob job = new NewJob(r.deploymentId(), r.orgId(), r.procedureId(), FanOutJobRepository.ROLLOUT_STAGE, null,
                actor.keyId(), actor.name(), "rollout " + r.id() + " stage " + (index + 1) + " of " + stages.size(),
                null, TraceParent.current(), r.id(), target);
        return jobs.record(job)
                .chain(() -> store.startStage(r.id(), state, index, advanceAt))
                .chain(() -> index == 0 ? Uni.createFrom().voidItem()
                        : store.record(r.id(), "advanced", index, actor.keyId(), actor.name(), note, figuresJson))
                .chain(() -> last ? store.record(r.id(), "completed", index, actor.keyId(), actor.name(),
                        "every station of it is on " + r.deploymentId()) : Uni.createFrom().voidItem())
                .chain(() -> store.find(r.id()));
    }

    /** The next stage; 409 unless running. */
    public Uni<RolloutStore.Row> advance(String orgId, String id, Actor actor, String note) {
        return change(orgId, id, r -> {
            requireState(r, RUNNING, NEEDS_ATTENTION);
            return enterStage(r, r.stage() + 1, actor, Notes.check(note), null);
        });
    }

    /** Straight to the last stage: every station moves, the rollout is completed. */
    public Uni<RolloutStore.Row> complete(String orgId, String id, Actor actor, String note) {
        return change(orgId, id, r -> {
            requireState(r, RUNNING, PAUSED, NEEDS_ATTENTION);
            return enterStage(r, read(r.stagesJson(), RESOLVED).size() - 1, actor, Notes.check(note), null);
        });
    }

    /** Stops the timer (what was left of it is kept) and manual advances until resumed. */
    public Uni<RolloutStore.Row> pause(String orgId, String id, Actor actor, String note) {
        return change(orgId, id, r -> {
            requireState(r, RUNNING);
            Long remaining = r.advanceAt() == null ? null
                    : Math.max(0, Duration.between(Instant.now(), r.advanceAt()).toMillis());
            return store.update(r.id(), PAUSED, r.stage(), null, remaining)
                    .chain(() -> store.record(r.id(), "paused", r.stage(), actor.keyId(), actor.name(),
                            Notes.check(note)))
                    .chain(() -> store.find(r.id()));
        });
    }

    public Uni<RolloutStore.Row> resume(String orgId, String id, Actor actor, String note) {
        return change(orgId, id, r -> {
            requireState(r, PAUSED);
            Instant advanceAt = r.pausedRemainingMs() == null ? null
                    : Instant.now().plusMillis(r.pausedRemainingMs());
            return store.update(r.id(), RUNNING, r.stage(), advanceAt, null)
                    .chain(() -> store.record(r.id(), "resumed", r.stage(), actor.keyId(), actor.name(),
                            Notes.check(note)))
                    .chain(() -> store.find(r.id()));
        });
    }

    /**
     * Ends the rollout and sends every station of it that is on the rollout's deployment back to the deployment it
     * had (a fan-out job per such deployment, limited to the rollout's stations; the agents swap between runs).
     * Stations that had none keep the new one.
     */
    public Uni<RolloutStore.Row> abort(String orgId, String id, Actor actor, String note) {
        String checked = Notes.check(note);
        return change(orgId, id, r -> {
            requireState(r, RUNNING, PAUSED, NEEDS_ATTENTION);
            return abortLocked(r, actor, checked, null);
        });
    }

    private Uni<RolloutStore.Row> abortLocked(RolloutStore.Row r, Actor actor, String note, String figuresJson) {
        int target = read(r.stagesJson(), RESOLVED).get(r.stage()).target();
        return store.update(r.id(), ABORTED, r.stage(), null, null)
                .chain(() -> store.record(r.id(), "aborted", r.stage(), actor.keyId(), actor.name(), note,
                        figuresJson))
                .chain(() -> store.fromDeployments(r.id(), target))
                .chain(froms -> Multi.createFrom().iterable(froms)
                        .onItem().transformToUniAndConcatenate(from -> jobs.record(new NewJob(from, r.orgId(),
                                r.procedureId(), FanOutJobRepository.ROLLOUT_ABORT, null, actor.keyId(),
                                actor.name(), "rollout " + r.id() + " aborted", null, TraceParent.current(),
                                r.id(), target)))
                        .collect().asList())
                .chain(() -> store.find(r.id()));
    }

    /** Advances every running rollout whose stage timer is due, each in its own transaction; returns how many. */
    public Uni<Integer> advanceDue(int limit) {
        return Panache.withSession(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                        "select id, org_id from rollouts where state = 'running' and advance_at <= now()"
                                + " order by advance_at limit ?1", Object[].class)
                .setParameter(1, limit).getResultList()))
                .chain(due -> Multi.createFrom().iterable(due)
                        .onItem().transformToUniAndConcatenate(r -> change((String) r[1],
                                        (String) r[0], row -> {
                                            if (!RUNNING.equals(row.state()) || row.advanceAt() == null
                                                    || row.advanceAt().isAfter(Instant.now())) {
                                                return Uni.createFrom().item(row); // another instance was first
                                            }
                                            if (row.gateJson() != null) {
                                                return gate(row);
                                            }
                                            return enterStage(row, row.stage() + 1, Actor.SYSTEM,
                                                    "the stage's wait of " + Duration.ofSeconds(row.waitSeconds())
                                                            + " passed", null);
                                        })
                                .onFailure().recoverWithItem(f -> {
                                    LOG.warnf("rollout %s did not advance now: %s", r[0], f.toString());
                                    return null;
                                }))
                        .collect().asList().map(List::size));
    }

    /** The gate's verdict for the current stage, from the runs since it started, under the rollout's lock. */
    private Uni<RolloutStore.Row> gate(RolloutStore.Row r) {
        return verdict(r).chain(v -> {
            String figures = write(v);
            return switch (v.decision()) {
                case HealthGate.ADVANCE -> enterStage(r, r.stage() + 1, Actor.SYSTEM, v.reason(), figures);
                case HealthGate.ABORT -> abortLocked(r, Actor.SYSTEM, v.reason(), figures);
                case HealthGate.ATTENTION -> store.needsAttention(r.id(), v.reason())
                        .chain(() -> store.record(r.id(), NEEDS_ATTENTION, r.stage(), null, Actor.SYSTEM.name(),
                                v.reason(), figures))
                        .chain(() -> store.find(r.id()));
                default -> store.update(r.id(), RUNNING, r.stage(), Instant.now().plus(gateInterval), null)
                        .chain(() -> store.find(r.id()));
            };
        });
    }

    /** Canary (runs on the rollout's deployment) against base (runs on the one its stations came from), now. */
    Uni<HealthGate.Verdict> verdict(RolloutStore.Row r) {
        Instant since = r.stageStartedAt() == null ? r.createdAt() : r.stageStartedAt();
        return store.figures(r.procedureId(), r.deploymentId(), since)
                .chain(canary -> store.mostCommonFrom(r.id()).chain(previous -> previous == null
                        ? Uni.createFrom().item(HealthGate.Figures.NONE)
                        : store.figures(r.procedureId(), previous, since))
                        .map(base -> HealthGate.evaluate(gateOf(r), since, Instant.now(), canary, base)));
    }

    @WithSession
    public Uni<RolloutStore.Row> get(String orgId, String id) {
        return store.find(id).map(r -> found(orgId, id, r));
    }

    @WithSession
    public Uni<List<RolloutStore.Row>> list(String orgId, String procedureId, int limit) {
        if (procedureId != null) {
            Ids.procedure("procedure_id", procedureId);
        }
        return store.list(orgId, procedureId, limit);
    }

    /** A station of a rollout with the stage (from 0) its rank puts it in. */
    public record StageStation(int stage, RolloutStore.StationRow station) {
    }

    /**
     * Up to {@code limit} of the rollout's stations in rank order after {@code afterRank} (-1: from the first), only
     * those of stage {@code stage} (from 0) when it is given; 404 for another organization's rollout, 400 for a stage
     * it does not have.
     */
    @WithSession
    public Uni<List<StageStation>> stations(String orgId, String id, Integer stage, int afterRank, int limit) {
        return store.find(id).map(r -> found(orgId, id, r)).chain(r -> {
            List<Integer> targets = RolloutStore.targets(read(r.stagesJson(), RESOLVED));
            if (stage != null && (stage < 0 || stage >= targets.size())) {
                throw ProblemException.invalid("stage", "rollout " + id + " has stages 0 to " + (targets.size() - 1));
            }
            int from = stage == null || stage == 0 ? 0 : targets.get(stage - 1);
            int to = stage == null ? Integer.MAX_VALUE : targets.get(stage);
            return store.stations(r.id(), r.procedureId(), from, to, afterRank, limit)
                    .map(rows -> rows.stream().map(s -> new StageStation(stageOf(s.rank(), targets), s)).toList());
        });
    }

    /** The stage a rank falls in: the number of stage targets at or below it. */
    private static int stageOf(int rank, List<Integer> targets) {
        int stage = 0;
        while (stage < targets.size() - 1 && targets.get(stage) <= rank) {
            stage++;
        }
        return stage;
    }

    /** The stage figures and history of a rollout, for its view. */
    @WithSession
    public Uni<Detail> detail(RolloutStore.Row r, int historyLimit) {
        List<StagePlan.Resolved> stages = read(r.stagesJson(), RESOLVED);
        return store.stageCounts(r.id(), r.procedureId(), r.deploymentId(), RolloutStore.targets(stages))
                .chain(counts -> store.mostCommonFrom(r.id())
                        .chain(previous -> store.history(r.id(), historyLimit)
                                .chain(history -> (r.gateJson() != null && r.active()
                                        ? verdict(r) : Uni.createFrom().<HealthGate.Verdict>nullItem())
                                        .map(v -> new Detail(r, stages, counts, previous, history, v)))));
    }

    /** @param verdict the gate's live verdict (gated, active rollouts), else null */
    public record Detail(RolloutStore.Row rollout, List<StagePlan.Resolved> stages,
            List<RolloutStore.StageCount> counts, String previousDeploymentId,
            List<RolloutStore.HistoryEntry> history, HealthGate.Verdict verdict) {
    }

    /** The caller's change, under the procedure's lock and the rollout's row lock, in one transaction. */
    Uni<RolloutStore.Row> change(String orgId, String id, java.util.function.Function<RolloutStore.Row,
            Uni<RolloutStore.Row>> work) {
        return Panache.withTransaction(() -> store.find(id).map(r -> found(orgId, id, r))
                .chain(r -> locks.lock(r.procedureId()))
                .chain(() -> store.lock(id))
                .chain(row -> work.apply(row)));
    }

    private static RolloutStore.Row found(String orgId, String id, RolloutStore.Row r) {
        if (r == null || !orgId.equals(r.orgId())) {
            throw new NotFound("rollout", id);
        }
        return r;
    }

    private static void requireState(RolloutStore.Row r, String... allowed) {
        for (String state : allowed) {
            if (state.equals(r.state())) {
                return;
            }
        }
        boolean finished = !r.active();
        throw ProblemException.conflict(finished ? "rollout-finished" : "rollout-" + r.state(), "rollout " + r.id()
                + " is " + r.state() + (finished ? "; nothing changes it any more" : "; it must be "
                + String.join(" or ", allowed) + " for this"));
    }

    private static List<String> canaries(List<String> given) {
        if (given == null) {
            return List.of();
        }
        LinkedHashSet<String> ids = new LinkedHashSet<>();
        for (String id : given) {
            if (id == null || !id.matches("^stn_[0-9a-z]{26}$")) {
                throw ProblemException.invalid("canary_station_ids", "every entry must be a station id");
            }
            ids.add(id);
        }
        return List.copyOf(ids);
    }

    static String write(Object value) {
        try {
            return EventCodec.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static <T> T read(String json, TypeReference<T> type) {
        try {
            return EventCodec.mapper().readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable stages " + json, e);
        }
    }

    /** A plan's stages as stored (validated for shape only; resolved against the fleet when a deployment starts it). */
    @WithTransaction
    public Uni<RolloutStore.Plan> savePlan(String orgId, String procedureId, List<StagePlan.Stage> stages, Duration wait,
            List<String> canaries) {
        Ids.procedure("procedure_id", procedureId);
        StagePlan.checkShape(stages);
        StagePlan.Stage last = stages.get(stages.size() - 1);
        if (last.percent() == null || last.percent().compareTo(java.math.BigDecimal.valueOf(100)) != 0) {
            throw ProblemException.invalid("stages", "a plan's last stage is {\"percent\": 100}: it must reach every"
                    + " station whatever the fleet's size");
        }
        List<String> checked = canaries(canaries);
        return store.plan(procedureId).invoke(existing -> {
            if (existing != null && !orgId.equals(existing.orgId())) {
                throw new NotFound("rollout plan of procedure", procedureId);
            }
        }).chain(() -> store.savePlan(new RolloutStore.Plan(procedureId, orgId, write(stages),
                wait == null ? null : wait.toSeconds(), String.join(",", checked), null)))
                .chain(() -> store.plan(procedureId));
    }

    @WithSession
    public Uni<RolloutStore.Plan> plan(String orgId, String procedureId) {
        Ids.procedure("procedure_id", procedureId);
        return store.plan(procedureId).map(p -> {
            if (p == null || !orgId.equals(p.orgId())) {
                throw new NotFound("rollout plan of procedure", procedureId);
            }
            return p;
        });
    }

    @WithTransaction
    public Uni<Void> deletePlan(String orgId, String procedureId) {
        return plan(orgId, procedureId).chain(p -> store.deletePlan(procedureId)).replaceWithVoid();
    }

    static List<StagePlan.Stage> planStages(RolloutStore.Plan p) {
        return read(p.stagesJson(), STAGES);
    }
}
