package io.benchline.stations.app;

import io.benchline.common.outbox.ProcessedEvents;
import io.benchline.events.DeploymentEvent;
import io.benchline.stations.model.Link;
import io.benchline.stations.model.ProjectedDeployment;
import io.benchline.stations.store.DeploymentProjectionRepository;
import io.benchline.stations.store.LinkRepository;
import io.benchline.stations.store.ProcedureLocks;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.List;

/** Keeps the deployment projection and fans ready deployments out to linked stations. */
@ApplicationScoped
public class FanOutService {
    public static final String CONSUMER = "station-dispatcher";
    private static final Logger LOG = Logger.getLogger(FanOutService.class);

    private final ProcessedEvents processed;
    private final ProcedureLocks locks;
    private final DeploymentProjectionRepository deployments;
    private final LinkRepository links;
    private final PointerMover mover;

    public FanOutService(ProcessedEvents processed, ProcedureLocks locks, DeploymentProjectionRepository deployments,
            LinkRepository links, PointerMover mover) {
        this.processed = processed;
        this.locks = locks;
        this.deployments = deployments;
        this.links = links;
        this.mover = mover;
    }

    /** Handles one deployment.events event once; a redelivered event id changes nothing. */
    @WithTransaction
    public Uni<Void> handle(String eventId, DeploymentEvent event) {
        return processed.firstTime(eventId, CONSUMER).chain(first -> {
            if (!first) {
                LOG.debugf("event %s handled before, skipped", eventId);
                return Uni.createFrom().voidItem();
            }
            return locks.lock(event.procedureId())
                    .chain(() -> deployments.apply(event))
                    .chain(row -> fanOut(event, row));
        });
    }

    private Uni<Void> fanOut(DeploymentEvent event, ProjectedDeployment row) {
        // Only the ready transition fans out; the projection row decides, so a stale or deleted state never does.
        if (!DeploymentEvent.READY.equals(event.change()) || !row.isDeployable()) {
            return Uni.createFrom().voidItem();
        }
        Uni<List<Link>> targets;
        if (Link.PRODUCTION.equals(row.environment)) {
            if (!event.autoPush()) {
                return Uni.createFrom().voidItem();
            }
            targets = links.production(row.orgId, row.procedureId);
        } else if (Link.PREVIEW.equals(row.environment) && row.branch != null) {
            targets = links.preview(row.orgId, row.procedureId, row.branch);
        } else {
            return Uni.createFrom().voidItem();
        }
        return targets.chain(list -> {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (Link link : list) {
                chain = chain.chain(() -> mover.moveForward(link, row.orgId, row, PointerMover.REASON_AUTO))
                        .replaceWithVoid();
            }
            return chain;
        });
    }
}
