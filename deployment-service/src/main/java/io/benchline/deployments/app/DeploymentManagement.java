package io.benchline.deployments.app;

import io.benchline.common.api.NotFound;
import io.benchline.common.api.ProblemException;
import io.benchline.common.auth.Caller;
import io.benchline.deployments.app.ManagementErrors.BeingDeleted;
import io.benchline.deployments.app.ManagementErrors.NotARollbackTarget;
import io.benchline.deployments.app.ManagementErrors.NotPaused;
import io.benchline.deployments.app.ManagementErrors.NotPromotable;
import io.benchline.deployments.app.ManagementErrors.RollbackTarget;
import io.benchline.deployments.app.ManagementErrors.StillBuilding;
import io.benchline.deployments.model.Deployment;
import io.benchline.deployments.model.Procedure;
import io.benchline.deployments.store.DeploymentRepository;
import io.benchline.deployments.store.ProcedureHistoryRepository;
import io.benchline.deployments.store.ProcedureRepository;
import io.benchline.events.ActorRef;
import io.benchline.events.DeploymentEvent;
import io.benchline.events.EventIds;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Promote, rollback, resume and delete: what users do with a deployment once it is built. Each change, its history
 * line and its {@code deployment.events} record commit in one transaction that holds the procedure's row lock, so
 * these calls serialize per procedure; station-dispatcher moves the pointers from the events (set-based jobs).
 * <p>
 * Delete spans both services: the deployment is tombstoned here first ({@code deleting_since}: no promote or
 * rollback takes it from then on), then station-dispatcher, which owns pointers, makes the final check and
 * tombstones its own copy in one transaction, and only then is the delete finished here. A crash between the steps
 * leaves a tombstone that {@link DeleteSweeper} completes or releases.
 */
@ApplicationScoped
public class DeploymentManagement {
    private static final Logger LOG = Logger.getLogger(DeploymentManagement.class);
    public static final int MAX_NOTE_LENGTH = 500;

    private final ProcedureRepository procedures;
    private final DeploymentRepository deployments;
    private final ProcedureHistoryRepository history;
    private final DeploymentPublisher publisher;
    private final DispatcherClient dispatcher;
    private final ArtifactDeletions artifactDeletions;

    public DeploymentManagement(ProcedureRepository procedures, DeploymentRepository deployments,
            ProcedureHistoryRepository history, DeploymentPublisher publisher, DispatcherClient dispatcher,
            ArtifactDeletions artifactDeletions) {
        this.procedures = procedures;
        this.deployments = deployments;
        this.history = history;
        this.publisher = publisher;
        this.dispatcher = dispatcher;
        this.artifactDeletions = artifactDeletions;
    }

    /**
     * Turns a ready preview into a new production deployment record: same commit, same artifact digest and
     * signature, no rebuild, ready at once, {@code promoted_from} the preview (which keeps its environment). It
     * fans out like a production build (replacing pins) and ends a rollback pause.
     */
    @WithTransaction
    public Uni<DeploymentView> promote(Caller caller, String deploymentId, String note) {
        String checkedNote = note(note);
        return lockedWithProcedure(caller.orgId(), deploymentId).chain(locked -> {
            Deployment source = locked.deployment();
            Procedure p = locked.procedure();
            if (source.deletingSince != null) {
                throw new BeingDeleted(source.id);
            }
            if (!Environments.PREVIEW.equals(source.environment)) {
                throw new NotPromotable(source.id, "it is a " + source.environment + " deployment; only a preview"
                        + " deployment is promoted");
            }
            if (!Deployment.READY.equals(source.status) || source.artifactDigest == null) {
                throw new NotPromotable(source.id, "it is " + source.status + "; only a ready deployment is promoted");
            }
            Deployment d = promotedCopy(source, p);
            clearPause(p);
            p.controlVersion++;
            p.updatedAt = Clock.now();
            return deployments.persist(d)
                    .chain(() -> publisher.managed(DeploymentEvent.PROMOTED, d, p, p.controlVersion, actor(caller),
                            checkedNote))
                    .chain(() -> history.record(p.id, p.orgId, "promote", d.id, source.id, caller.keyId(),
                            caller.keyName(), checkedNote))
                    .replaceWith(new DeploymentView(d, p.name, 0));
        });
    }

    /**
     * Points every production station of the procedure at an earlier deployment that once ran in production, and
     * pauses auto-push until a resume or the next promote. Pushes still build while paused.
     */
    @WithTransaction
    public Uni<Procedure> rollback(Caller caller, String procedureId, String deploymentId, String note) {
        String checkedNote = note(note);
        return lockedProcedure(caller.orgId(), procedureId)
                .chain(p -> deployments.lockInOrg(caller.orgId(), deploymentId).chain(d -> {
                    if (d == null || !d.procedureId.equals(p.id)) {
                        throw new NotFound("deployment of procedure " + p.id, deploymentId);
                    }
                    if (d.deletingSince != null) {
                        throw new BeingDeleted(d.id);
                    }
                    if (!Environments.PRODUCTION.equals(d.environment)) {
                        throw new NotARollbackTarget(d.id, "it is a " + d.environment + " deployment and never ran in"
                                + " production; promote it instead");
                    }
                    if (!Deployment.READY.equals(d.status)) {
                        throw new NotARollbackTarget(d.id, "it is " + d.status);
                    }
                    if (d.firstDeployedAt == null) {
                        throw new NotARollbackTarget(d.id, "it was never deployed to a station");
                    }
                    if (p.pausedAt == null) {
                        p.pausedAt = Clock.now();
                    }
                    p.pausedByKeyId = caller.keyId();
                    p.pausedByName = caller.keyName();
                    p.pauseReason = "rollback";
                    p.pauseNote = checkedNote;
                    p.rollbackDeploymentId = d.id;
                    p.controlVersion++;
                    p.updatedAt = Clock.now();
                    return publisher.managed(DeploymentEvent.ROLLED_BACK, d, p, p.controlVersion, actor(caller),
                                    checkedNote)
                            .chain(() -> history.record(p.id, p.orgId, "rollback", d.id, null, caller.keyId(),
                                    caller.keyName(), checkedNote))
                            .replaceWith(p);
                }));
    }

    /** Ends a rollback pause: the next production deployment fans out again. Stations stay where they are. */
    @WithTransaction
    public Uni<Procedure> resume(Caller caller, String procedureId, String note) {
        String checkedNote = note(note);
        return lockedProcedure(caller.orgId(), procedureId).chain(p -> {
            if (!p.isPaused()) {
                throw new NotPaused(p.id);
            }
            String target = p.rollbackDeploymentId;
            clearPause(p);
            p.controlVersion++;
            p.updatedAt = Clock.now();
            return deployments.findById(target).chain(d -> publisher.managed(DeploymentEvent.RESUMED, d, p,
                            p.controlVersion, actor(caller), checkedNote))
                    .chain(() -> history.record(p.id, p.orgId, "resume", target, null, caller.keyId(),
                            caller.keyName(), checkedNote))
                    .replaceWith(p);
        });
    }

    /**
     * Deletes a deployment for good: refused while any station pointer or pin names it (station-dispatcher
     * decides, atomically with its own tombstone), while it builds, or while it is the procedure's rollback target.
     * Afterwards it is 404, its logs are gone, {@code deleted} is published, and its artifact bytes leave S3 once no
     * other deployment references the digest.
     */
    public Uni<Void> delete(Caller caller, String deploymentId) {
        return beginDelete(caller, deploymentId)
                .chain(d -> dispatcher.tombstone(d)
                        .onFailure().call(f -> abortDelete(d.id).onFailure().invoke(e -> LOG.warnf(
                                "could not release the tombstone of %s (the sweeper will): %s", d.id, e.toString())))
                        .chain(() -> finishDelete(d.id, caller.keyId(), caller.keyName())))
                .invoke(artifactDeletions::wake);
    }

    /**
     * Expires a preview (PreviewRetention): a delete by the system that keeps when and why; false when it was not
     * expired now (a station points at it, it is a rollback target, it is no longer a final preview).
     */
    public Uni<Boolean> expire(String deploymentId, String reason) {
        return expire(deploymentId, Environments.PREVIEW, reason);
    }

    /**
     * As {@link #expire(String, String)} for a final deployment of {@code environment}: previews by retention,
     * development deployments when their session ended (DevelopmentSessions).
     */
    public Uni<Boolean> expire(String deploymentId, String environment, String reason) {
        return beginExpire(deploymentId, environment).chain(d -> d == null ? Uni.createFrom().item(false)
                : dispatcher.tombstone(d)
                        .onFailure().call(f -> abortDelete(d.id))
                        .chain(() -> finishDelete(d.id, null, "retention", reason))
                        .invoke(artifactDeletions::wake)
                        .replaceWith(true));
    }

    @WithTransaction
    Uni<Deployment> beginExpire(String deploymentId, String environment) {
        return deployments.lock(deploymentId).chain(d -> {
            if (d == null || d.deletedAt != null || d.deletingSince != null || !d.isFinal()
                    || !environment.equals(d.environment)) {
                return Uni.createFrom().nullItem();
            }
            return procedures.findById(d.procedureId).map(p -> {
                if (p != null && p.isPaused() && d.id.equals(p.rollbackDeploymentId)) {
                    return null;
                }
                d.deletingSince = Clock.now();
                return d;
            });
        });
    }

    @WithTransaction
    Uni<Deployment> beginDelete(Caller caller, String deploymentId) {
        return lockedWithProcedure(caller.orgId(), deploymentId).map(locked -> {
            Deployment d = locked.deployment();
            Procedure p = locked.procedure();
            if (!d.isFinal()) {
                throw new StillBuilding(d.id, d.status);
            }
            if (p.isPaused() && d.id.equals(p.rollbackDeploymentId)) {
                throw new RollbackTarget(d.id, p.id);
            }
            if (d.deletingSince == null) {
                d.deletingSince = Clock.now();
            }
            return d;
        });
    }

    /** station-dispatcher refused (or could not be asked): the deployment takes part again. */
    @WithTransaction
    Uni<Void> abortDelete(String deploymentId) {
        return deployments.lock(deploymentId).invoke(d -> {
            if (d != null && d.deletedAt == null) {
                d.deletingSince = null;
            }
        }).replaceWithVoid();
    }

    /** Completes a tombstoned delete: idempotent, so the sweeper may finish one a crash interrupted. */
    @WithTransaction
    public Uni<Void> finishDelete(String deploymentId, String actorKeyId, String actorName) {
        return finishDelete(deploymentId, actorKeyId, actorName, null);
    }

    /** As {@link #finishDelete(String, String, String)}; {@code expiredReason} set: an expiry (410 afterwards). */
    @WithTransaction
    public Uni<Void> finishDelete(String deploymentId, String actorKeyId, String actorName, String expiredReason) {
        return deployments.lock(deploymentId).chain(d -> {
            if (d == null || d.deletedAt != null) {
                return Uni.createFrom().voidItem();
            }
            d.deletedAt = Clock.now();
            if (expiredReason != null) {
                d.expiredAt = d.deletedAt;
                d.expiredReason = expiredReason;
            }
            d.deletedByKeyId = actorKeyId;
            d.deletedByName = actorName;
            d.updatedAt = d.deletedAt;
            return procedures.findById(d.procedureId).chain(p -> Panache.getSession()
                    .chain(s -> s.createNativeQuery("delete from build_log_lines where deployment_id = ?1")
                            .setParameter(1, d.id).executeUpdate())
                    .chain(() -> publisher.managed(DeploymentEvent.DELETED, d, p, null,
                            actorKeyId == null ? ActorRef.SYSTEM : new ActorRef(actorKeyId, actorName), null))
                    .chain(() -> history.record(p.id, p.orgId, expiredReason != null ? "expire" : "delete", d.id,
                            null, actorKeyId, actorName, expiredReason))
                    .chain(() -> d.artifactDigest == null ? Uni.createFrom().voidItem()
                            : artifactDeletions.request(d.artifactDigest)));
        });
    }

    /** The procedure's history, newest first; another organization's procedure is 404. */
    @WithSession
    public Uni<List<ProcedureHistoryRepository.Entry>> history(String orgId, String procedureId, Long before,
            int limit) {
        return procedures.findInOrg(orgId, procedureId).chain(p -> {
            if (p == null) {
                throw new NotFound("procedure", procedureId);
            }
            return history.page(p.id, before, limit);
        });
    }

    private record Locked(Deployment deployment, Procedure procedure) {
    }

    /** The deployment and its procedure, both locked (procedure first, as every use case here takes them). */
    private Uni<Locked> lockedWithProcedure(String orgId, String deploymentId) {
        return deployments.findInOrg(orgId, deploymentId).chain(found -> {
            if (found == null) {
                throw new NotFound("deployment", deploymentId);
            }
            return lockedProcedure(orgId, found.procedureId).chain(p -> deployments.lockInOrg(orgId, deploymentId)
                    .map(d -> {
                        if (d == null) {
                            throw new NotFound("deployment", deploymentId);
                        }
                        return new Locked(d, p);
                    }));
        });
    }

    private Uni<Procedure> lockedProcedure(String orgId, String procedureId) {
        return procedures.lockInOrg(orgId, procedureId).map(p -> {
            if (p == null) {
                throw new NotFound("procedure", procedureId);
            }
            return p;
        });
    }

    private static Deployment promotedCopy(Deployment source, Procedure p) {
        Deployment d = new Deployment();
        d.id = EventIds.withPrefix("dep");
        d.orgId = source.orgId;
        d.procedureId = source.procedureId;
        d.sequence = p.takeSequence();
        d.commitSha = source.commitSha;
        d.commitMessage = source.commitMessage;
        d.commitAuthor = source.commitAuthor;
        d.branch = source.branch;
        d.environment = Environments.PRODUCTION;
        d.trigger = Environments.TRIGGER_MANUAL;
        d.status = Deployment.READY;
        d.source = source.source;
        d.platform = source.platform;
        d.language = source.language;
        d.runtimeVersion = source.runtimeVersion;
        d.entryPoint = source.entryPoint;
        d.artifactDigest = source.artifactDigest;
        d.artifactSizeBytes = source.artifactSizeBytes;
        d.artifactSignature = source.artifactSignature;
        d.artifactKeyId = source.artifactKeyId;
        d.promotedFrom = source.id;
        d.createdAt = Clock.now();
        d.startedAt = d.createdAt;
        d.endedAt = d.createdAt;
        d.buildDurationMs = 0L;
        d.updatedAt = d.createdAt;
        return d;
    }

    private static void clearPause(Procedure p) {
        p.pausedAt = null;
        p.pausedByKeyId = null;
        p.pausedByName = null;
        p.pauseReason = null;
        p.pauseNote = null;
        p.rollbackDeploymentId = null;
    }

    private static ActorRef actor(Caller caller) {
        return new ActorRef(caller.keyId(), caller.keyName());
    }

    /** The optional note: stripped; 400 when too long or holding control characters. */
    static String note(String note) {
        if (note == null || note.isBlank()) {
            return null;
        }
        String stripped = note.strip();
        if (stripped.length() > MAX_NOTE_LENGTH) {
            throw ProblemException.invalid("note", "must be at most " + MAX_NOTE_LENGTH + " characters");
        }
        if (stripped.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\t')) {
            throw ProblemException.invalid("note", "must not contain control characters");
        }
        return stripped;
    }
}
