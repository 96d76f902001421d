package io.benchline.deployments.app;

import io.benchline.deployments.model.Procedure;
import io.benchline.deployments.model.ProcedureReconcile;
import io.benchline.deployments.store.ProcedureRepository;
import io.benchline.deployments.store.ReconcileRepository;
import io.benchline.events.EventIds;
import io.benchline.repositories.CloneUrlPolicy;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The reconciler for missed pushes: GitHub never redelivers a failed webhook by itself, so every
 * {@code benchline.reconcile.tick} this job claims the procedures whose reconcile interval is over, lists their
 * remotes' branch heads ({@link RemoteHeads}, ls-remote through JGit with the stored credentials) and creates the
 * deployment a missed webhook would have created (trigger auto, {@code reconciled}).
 * <ul>
 * <li><b>What is built</b>: a tracked branch (not excluded; the production branch builds production, any other
 * preview, as a push would) whose head changed since the last pass, or that is new since then, and whose head commit
 * has no deployment of the procedure for that environment (and, for preview, that branch) yet, from any source: a
 * push, a redelivery, a manual build, a promote or an earlier pass. The first pass after enabling, and after the
 * procedure was moved to another repository, only records the heads: old branches are not built.</li>
 * <li><b>Exactly once</b>: the check and the create run under the procedure's row lock, the lock a push takes too;
 * a webhook that arrives after the reconciler built its head only claims that deployment
 * ({@link ReconcileRepository#claimReconciled}).</li>
 * <li><b>Several instances</b>: a pass claims due procedures with {@code for update skip locked} and moves their next
 * pass on by their interval in the same statement, so one pass handles a procedure at a time; its claim token fences
 * the result (a pass whose claim was replaced meanwhile, by a later pass, a PATCH or a disable, drops its result).</li>
 * <li><b>Bounded</b>: {@code batch-size} procedures per look, {@code concurrency} listings at once, each within
 * {@code timeout}, at most {@code max-builds-per-pass} deployments per procedure (further changed heads stay unrecorded
 * and wait for the next pass), no repository with more than {@code max-branches} branches. A remote that fails is
 * logged and recorded on its procedure ({@code last_reconcile_error}); the others go on.</li>
 * </ul>
 */
@ApplicationScoped
public class Reconciler {
    private static final Logger LOG = Logger.getLogger(Reconciler.class);
    static final int MAX_ERROR_LENGTH = 2000;

    private final ReconcileRepository store;
    private final ProcedureRepository procedures;
    private final ProcedureService procedureService;
    private final NewDeployments newDeployments;
    private final RemoteHeads remotes;
    private final ReconcileConfig config;

    public Reconciler(ReconcileRepository store, ProcedureRepository procedures, ProcedureService procedureService,
            NewDeployments newDeployments, RemoteHeads remotes, ReconcileConfig config) {
        this.store = store;
        this.procedures = procedures;
        this.procedureService = procedureService;
        this.newDeployments = newDeployments;
        this.remotes = remotes;
        this.config = config;
    }

    /** What one pass did for one procedure. */
    public record Outcome(String procedureId, Result result, List<String> created, String error) {
    }

    public enum Result {
        /** The heads were recorded; nothing is built on a first pass. */
        BASELINE,
        /** Heads compared; {@code created} lists the deployments made (often none). */
        RECONCILED,
        /** The remote could not be listed, or its listing not used; the reason is the procedure's last error. */
        FAILED,
        /** The procedure was claimed again, changed or disabled while its remote was listed: the result was dropped. */
        SUPERSEDED
    }

    /** A claimed procedure as the listing needs it (read in the claiming transaction). */
    record Target(String procedureId, String cloneUrl, RemoteHeads.Token token, String problem) {
        @Override
        public String toString() {
            return "Target[" + procedureId + "]";
        }
    }

    @Scheduled(every = "${benchline.reconcile.tick:10s}", delay = 5, delayUnit = TimeUnit.SECONDS,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        if (!config.enabled()) {
            return Uni.createFrom().voidItem();
        }
        return pass().onFailure().invoke(f -> LOG.warnf("reconcile pass failed, will retry: %s", f.toString()))
                .onFailure().recoverWithItem(List.of()).replaceWithVoid();
    }

    /** One pass over up to {@code batch-size} due procedures. */
    public Uni<List<Outcome>> pass() {
        String claim = EventIds.withPrefix("rcl");
        return Panache.withTransaction(() -> store.claimDue(claim, Math.max(1, config.batchSize()))
                        .chain(this::targets))
                .chain(targets -> reconcile(targets, claim));
    }

    /** Reconciles one procedure at once, due or not (its next pass moves on by its interval); none when disabled. */
    public Uni<List<Outcome>> reconcileNow(String procedureId) {
        String claim = EventIds.withPrefix("rcl");
        return Panache.withTransaction(() -> store.claimNow(procedureId, claim)
                        .chain(claimed -> claimed ? targets(List.of(procedureId)) : Uni.createFrom().item(List.<Target>of())))
                .chain(targets -> reconcile(targets, claim));
    }

    private Uni<List<Target>> targets(List<String> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return procedures.list("id in ?1", ids).map(ps -> ps.stream().sorted(Comparator.comparing(p -> p.id))
                .map(this::target).toList());
    }

    private Target target(Procedure p) {
        try {
            return new Target(p.id, p.cloneUrl, procedureService.tokenForReconcile(p), null);
        } catch (RuntimeException e) {
            // A value sealed under another benchline.secrets.key: say so on the procedure, list nothing.
            return new Target(p.id, p.cloneUrl, null, "the repository credentials cannot be opened: " + e.getMessage());
        }
    }

    /** Lists the remotes side by side (no database work meanwhile), then applies each result in its own transaction. */
    private Uni<List<Outcome>> reconcile(List<Target> targets, String claim) {
        if (targets.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        // Listings end on the reconciler's workers or a timer; the database work goes back to this Vert.x context.
        io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
        if (context == null) {
            return Uni.createFrom().failure(new IllegalStateException("a reconcile pass runs on a Vert.x context"));
        }
        return Multi.createFrom().iterable(targets)
                .onItem().transformToUni(t -> listing(t).map(heads -> new Listing(t, heads, null))
                        .onFailure().recoverWithItem(f -> new Listing(t, null, message(f))))
                .merge(Math.max(1, config.concurrency()))
                .collect().asList()
                .emitOn(task -> context.runOnContext(v -> task.run()))
                // The session runs one statement at a time: results are applied one after the other.
                .chain(listings -> Multi.createFrom().iterable(listings)
                        .onItem().transformToUniAndConcatenate(l -> apply(l, claim)
                                .onFailure().recoverWithItem(f -> {
                                    LOG.warnf("reconcile of %s not applied, will retry: %s", l.target().procedureId(),
                                            f.toString());
                                    return new Outcome(l.target().procedureId(), Result.FAILED, List.of(), message(f));
                                }))
                        .collect().asList());
    }

    private record Listing(Target target, Map<String, String> heads, String error) {
    }

    private Uni<Map<String, String>> listing(Target t) {
        if (t.problem() != null) {
            return Uni.createFrom().failure(new RemoteHeads.RemoteFailure(t.problem()));
        }
        return remotes.list(t.cloneUrl(), t.token());
    }

    private Uni<Outcome> apply(Listing listing, String claim) {
        String id = listing.target().procedureId();
        return Panache.withTransaction(() -> procedures.findById(id, LockModeType.PESSIMISTIC_WRITE).chain(p -> {
            if (p == null || !p.reconcile().enabled || !claim.equals(p.reconcile().claim)
                    || !p.cloneUrl.equals(listing.target().cloneUrl())) {
                return Uni.createFrom().item(new Outcome(id, Result.SUPERSEDED, List.of(), null));
            }
            ProcedureReconcile r = p.reconcile();
            Instant now = Clock.now();
            if (listing.error() != null) {
                return Uni.createFrom().item(failed(p, listing.error(), now));
            }
            Map<String, String> heads = listing.heads();
            if (heads.size() > config.maxBranches()) {
                return Uni.createFrom().item(failed(p, "the repository has " + heads.size() + " branches, more than "
                        + config.maxBranches() + " (benchline.reconcile.max-branches): not reconciled", now));
            }
            if (r.baselineAt == null) {
                return store.replaceHeads(p.id, heads).map(v -> {
                    r.baselineAt = now;
                    succeeded(r, now);
                    LOG.infof("reconcile of %s: recorded %d branch heads of %s as they are (a first pass builds "
                            + "nothing)", p.id, heads.size(), CloneUrlPolicy.redact(p.cloneUrl));
                    return new Outcome(p.id, Result.BASELINE, List.of(), null);
                });
            }
            return store.heads(p.id).chain(seen -> buildChanged(p, heads, seen).chain(done -> {
                // Heads left over by the per-pass cap keep their old record, so the next pass sees them changed.
                Map<String, String> record = new LinkedHashMap<>(heads);
                for (String branch : done.deferred()) {
                    if (seen.containsKey(branch)) {
                        record.put(branch, seen.get(branch));
                    } else {
                        record.remove(branch);
                    }
                }
                return store.replaceHeads(p.id, record).map(v -> {
                    succeeded(r, now);
                    return new Outcome(p.id, Result.RECONCILED, done.created(), null);
                });
            }));
        }));
    }

    private record Built(List<String> created, List<String> deferred) {
    }

    /**
     * Tracked branches whose head differs from the recorded one (or that are new), the production branch first:
     * each builds once unless its commit has a deployment for that environment (and preview branch) already.
     */
    private Uni<Built> buildChanged(Procedure p, Map<String, String> heads, Map<String, String> seen) {
        List<String> changed = heads.keySet().stream()
                .filter(branch -> !p.isExcluded(branch))
                .filter(branch -> !heads.get(branch).equals(seen.get(branch)))
                .sorted(Comparator.comparing((String b) -> !b.equals(p.productionBranch)).thenComparing(b -> b))
                .toList();
        int cap = Math.max(1, config.maxBuildsPerPass());
        List<String> created = new ArrayList<>();
        List<String> deferred = new ArrayList<>();
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (String branch : changed) {
            String sha = heads.get(branch);
            String environment = branch.equals(p.productionBranch) ? Environments.PRODUCTION : Environments.PREVIEW;
            chain = chain.chain(() -> {
                if (created.size() >= cap) {
                    deferred.add(branch);
                    return Uni.createFrom().voidItem();
                }
                return store.hasDeployment(p.id, sha, environment, branch).chain(built -> {
                    if (built) {
                        return Uni.createFrom().voidItem();
                    }
                    return newDeployments.create(p, new NewDeployments.NewDeployment(null, sha, null, null, branch,
                                    environment, Environments.TRIGGER_AUTO, null, null, true))
                            .invoke(d -> {
                                created.add(d.id);
                                LOG.infof("reconcile of %s: %s of %s had no deployment (a missed push?): %s %s",
                                        p.id, sha, branch, environment, d.id);
                            })
                            .replaceWithVoid();
                });
            });
        }
        return chain.map(v -> new Built(List.copyOf(created), List.copyOf(deferred)));
    }

    private static void succeeded(ProcedureReconcile r, Instant now) {
        r.lastReconciledAt = now;
        r.lastError = null;
        r.lastErrorAt = null;
    }

    private static Outcome failed(Procedure p, String error, Instant now) {
        String text = error.length() > MAX_ERROR_LENGTH ? error.substring(0, MAX_ERROR_LENGTH) + "…" : error;
        p.reconcile().lastError = text;
        p.reconcile().lastErrorAt = now;
        LOG.warnf("reconcile of %s failed: %s", p.id, text);
        return new Outcome(p.id, Result.FAILED, List.of(), text);
    }

    private static String message(Throwable f) {
        return f instanceof RemoteHeads.RemoteFailure ? f.getMessage() : f.toString();
    }
}
