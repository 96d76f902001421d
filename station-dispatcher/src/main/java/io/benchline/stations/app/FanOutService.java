package io.benchline.stations.app;

import io.benchline.common.outbox.ProcessedEvents;
import io.benchline.events.DeploymentEvent;
import io.benchline.stations.model.Link;
import io.benchline.stations.model.ProjectedDeployment;
import io.benchline.stations.store.DeploymentProjectionRepository;
import io.benchline.stations.store.FanOutJobRepository;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Keeps the deployment projection and turns a ready deployment into a fan-out job. The handler does a fixed,
 * small amount of work whatever the fleet's size (dedup, one upsert, at most one insert), so the Kafka record is
 * acknowledged within milliseconds; {@link FanOutWorker} moves the pointers afterwards.
 */
@ApplicationScoped
public class FanOutService {
    public static final String CONSUMER = "station-dispatcher";
    private static final Logger LOG = Logger.getLogger(FanOutService.class);

    private final ProcessedEvents processed;
    private final DeploymentProjectionRepository deployments;
    private final FanOutJobRepository jobs;

    public FanOutService(ProcessedEvents processed, DeploymentProjectionRepository deployments,
            FanOutJobRepository jobs) {
        this.processed = processed;
        this.deployments = deployments;
        this.jobs = jobs;
    }

    /** Handles one deployment.events event once; a redelivered event id changes nothing. */
    @WithTransaction
    public Uni<Void> handle(String eventId, DeploymentEvent event) {
        return processed.firstTime(eventId, CONSUMER).chain(first -> {
            if (!first) {
                LOG.debugf("event %s handled before, skipped", eventId);
                return Uni.createFrom().voidItem();
            }
            return deployments.apply(event).chain(row -> recordFanOut(event, row));
        });
    }

    private Uni<Void> recordFanOut(DeploymentEvent event, ProjectedDeployment row) {
        // Only the ready transition fans out; the projection row decides, so a stale or deleted state never does.
        if (!DeploymentEvent.READY.equals(event.change()) || !row.isDeployable()) {
            return Uni.createFrom().voidItem();
        }
        boolean production = Link.PRODUCTION.equals(row.environment) && event.autoPush();
        boolean preview = Link.PREVIEW.equals(row.environment) && row.branch != null;
        if (!production && !preview) {
            return Uni.createFrom().voidItem();
        }
        return jobs.record(row.id, row.orgId, row.procedureId, PointerMover.REASON_AUTO).replaceWithVoid();
    }
}
