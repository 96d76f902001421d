package io.benchline.stations.app;

import io.benchline.stations.app.StationErrors.DeploymentInUse;
import io.benchline.stations.store.ExplicitMoveRepository;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The final check of a delete, owned here because pointers live here (invariant 6). One transaction takes the
 * deployment's projection row for update, looks for pointers that name it and, when there are none, marks it
 * deleted. Pins and fan-out chunks hold that row in share mode while they decide, so either they committed first
 * (and the check sees their pointer) or they wait and then find it deleted (and move nothing).
 */
@ApplicationScoped
public class DeletionGuard {
    /** How many blocking stations a refusal lists. */
    static final int LISTED = 20;

    private final ExplicitMoveRepository moves;

    public DeletionGuard(ExplicitMoveRepository moves) {
        this.moves = moves;
    }

    /** The deployment as deployment-service knows it, in case no event of it has arrived here yet. */
    public record Deleting(String deploymentId, String orgId, String procedureId, long sequence, String environment,
            String branch, String status) {
    }

    /** Tombstones the deployment, or refuses with {@link DeploymentInUse} naming the stations. Idempotent. */
    @WithTransaction
    public Uni<Void> tombstone(Deleting d) {
        return moves.lockForDelete(d.deploymentId(), d.orgId(), d.procedureId(), d.sequence(), d.environment(),
                        d.branch(), d.status())
                .chain(() -> moves.naming(d.deploymentId(), d.procedureId(), LISTED))
                .chain(naming -> {
                    if (naming.count() > 0) {
                        throw new DeploymentInUse(d.deploymentId(), naming.stations(), naming.count());
                    }
                    return moves.tombstone(d.deploymentId());
                });
    }
}
