package io.benchline.stations.app;

import io.benchline.common.outbox.ProcessedEvents;
import io.benchline.common.tracing.TraceParent;
import io.benchline.events.ActorRef;
import io.benchline.events.DeploymentEvent;
import io.benchline.events.PointerMoved;
import io.benchline.stations.model.Link;
import io.benchline.stations.model.ProjectedDeployment;
import io.benchline.stations.store.DeploymentProjectionRepository;
import io.benchline.stations.store.FanOutJobRepository;
import io.benchline.stations.store.FanOutJobRepository.NewJob;
import io.benchline.stations.store.ProcedureControlRepository;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Keeps the deployment projection and the procedures' control state, and turns a ready, promoted or rolled-back
 * deployment into a fan-out job. The handler does a fixed, small amount of work whatever the fleet's size (dedup,
 * one upsert, at most one control upsert and one insert), so the Kafka record is acknowledged within milliseconds;
 * {@link FanOutWorker} moves the pointers afterwards.
 */
@ApplicationScoped
public class FanOutService {
    public static final String CONSUMER = "station-dispatcher";
    private static final Logger LOG = Logger.getLogger(FanOutService.class);

    private final ProcessedEvents processed;
    private final DeploymentProjectionRepository deployments;
    private final FanOutJobRepository jobs;
    private final ProcedureControlRepository controls;
    private final io.benchline.stations.rollouts.Rollouts rollouts;

    public FanOutService(ProcessedEvents processed, DeploymentProjectionRepository deployments,
            FanOutJobRepository jobs, ProcedureControlRepository controls,
            io.benchline.stations.rollouts.Rollouts rollouts) {
        this.rollouts = rollouts;
        this.processed = processed;
        this.deployments = deployments;
        this.jobs = jobs;
        this.controls = controls;
    }

    /** Handles one deployment.events event once; a redelivered event id changes nothing. */
    @WithTransaction
    public Uni<Void> handle(String eventId, DeploymentEvent event) {
        return processed.firstTime(eventId, CONSUMER).chain(first -> {
            if (!first) {
                LOG.debugf("event %s handled before, skipped", eventId);
                return Uni.createFrom().voidItem();
            }
            return deployments.apply(event).chain(row -> switch (event.change()) {
                // A control change older than one applied already moves nothing: its job would undo the newer one.
                case DeploymentEvent.PROMOTED -> control(event, false, null)
                        .chain(applied -> applied ? rolloutOr(row, () -> explicitJob(event, row, PointerMoved.PROMOTE))
                                : none());
                case DeploymentEvent.ROLLED_BACK -> control(event, true, row.id)
                        .chain(applied -> applied ? explicitJob(event, row, PointerMoved.ROLLBACK) : none());
                case DeploymentEvent.RESUMED -> control(event, false, null).replaceWithVoid();
                default -> recordFanOut(event, row);
            });
        });
    }

    private static Uni<Void> none() {
        return Uni.createFrom().voidItem();
    }

    /** @return whether the change was applied (false when it has no control version or a newer one was applied) */
    private Uni<Boolean> control(DeploymentEvent event, boolean paused, String rollbackDeploymentId) {
        if (event.controlVersion() == null) {
            LOG.warnf("%s event of deployment %s has no control_version; ignored", event.change(), event.deploymentId());
            return Uni.createFrom().item(false);
        }
        return controls.apply(event.procedureId(), event.orgId(), paused, rollbackDeploymentId, event.controlVersion())
                .invoke(applied -> {
                    if (!applied) {
                        LOG.infof("%s of procedure %s (control version %d) is older than one applied already",
                                event.change(), event.procedureId(), event.controlVersion());
                    }
                });
    }

    /** A promote or rollback: a job that moves the procedure's pointers explicitly (it replaces pins). */
    private Uni<Void> explicitJob(DeploymentEvent event, ProjectedDeployment row, String reason) {
        if (event.controlVersion() == null || !row.isDeployable()) {
            return Uni.createFrom().voidItem();
        }
        ActorRef actor = event.actor() == null ? ActorRef.SYSTEM : event.actor();
        return jobs.record(new NewJob(row.id, row.orgId, row.procedureId, reason, event.controlVersion(),
                actor.keyId(), actor.name(), event.note(), null, TraceParent.current())).replaceWithVoid();
    }

    private Uni<Void> recordFanOut(DeploymentEvent event, ProjectedDeployment row) {
        // Only the ready transition fans out; the projection row decides, so a stale or deleted state never does.
        if (!DeploymentEvent.READY.equals(event.change()) || !row.isDeployable()) {
            return Uni.createFrom().voidItem();
        }
        boolean production = Link.PRODUCTION.equals(row.environment) && event.autoPush();
        boolean preview = Link.PREVIEW.equals(row.environment) && row.branch != null;
        if (Link.PRODUCTION.equals(row.environment) && !event.autoPush()) {
            // Nothing moves by itself, but a newer production deployment still ends an older one's rollout.
            return rollouts.supersede(row);
        }
        if (!production && !preview) {
            return Uni.createFrom().voidItem();
        }
        if (production) {
            return rolloutOr(row, () -> autoJob(event, row));
        }
        return autoJob(event, row);
    }

    /**
     * A newer production deployment supersedes an older one's active rollout; then the procedure's rollout plan, if
     * it has one, takes the deployment stage by stage, else {@code otherwise} moves every station at once.
     */
    private Uni<Void> rolloutOr(ProjectedDeployment row, java.util.function.Supplier<Uni<Void>> otherwise) {
        if (!row.isDeployable()) {
            return otherwise.get();
        }
        return rollouts.supersede(row)
                .chain(() -> rollouts.startFromPlan(row))
                .chain(started -> {
                    if (started != null) {
                        LOG.infof("deployment %s rolls out by its procedure's plan: rollout %s", row.id, started.id());
                        return Uni.createFrom().voidItem();
                    }
                    return otherwise.get();
                });
    }

    private Uni<Void> autoJob(DeploymentEvent event, ProjectedDeployment row) {
        // The ready event's control version: auto_push was decided then, so only a pause applied after it stops
        // the job (a resume that deployment-service made before it may still be on its way here).
        return jobs.record(new NewJob(row.id, row.orgId, row.procedureId, PointerMoved.AUTO, null, null,
                ActorRef.SYSTEM.name(), null, event.controlVersion(), TraceParent.current())).replaceWithVoid();
    }
}
