package io.benchline.stations.store;

import io.benchline.stations.model.Pointer;
import io.benchline.stations.model.StationProcedureKey;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import java.util.Collection;
import java.util.List;

@ApplicationScoped
public class PointerRepository implements PanacheRepositoryBase<Pointer, StationProcedureKey> {

    /** The pointer row locked for update, so concurrent moves of one pointer serialize. */
    public Uni<Pointer> lock(String stationId, String procedureId) {
        return find("stationId = ?1 and procedureId = ?2", stationId, procedureId)
                .withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
    }

    /** Up to {@code limit} pointers that name the deployment, locked, by station. */
    public Uni<List<Pointer>> lockNaming(String deploymentId, int limit) {
        return find("deploymentId = ?1", Sort.by("stationId"), deploymentId).withLock(LockModeType.PESSIMISTIC_WRITE)
                .page(0, limit).list();
    }

    public Uni<Pointer> find(String stationId, String procedureId) {
        return findById(new StationProcedureKey(stationId, procedureId));
    }

    public Uni<List<Pointer>> ofStations(Collection<String> stationIds) {
        if (stationIds.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return list("stationId in ?1", Sort.by("stationId").and("procedureId"), stationIds);
    }
}
