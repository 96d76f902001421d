package io.benchline.stations.store;

import io.benchline.stations.model.Link;
import io.benchline.stations.model.StationProcedureKey;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Collection;
import java.util.List;

@ApplicationScoped
public class LinkRepository implements PanacheRepositoryBase<Link, StationProcedureKey> {

    public Uni<Link> find(String stationId, String procedureId) {
        return findById(new StationProcedureKey(stationId, procedureId));
    }

    public Uni<List<Link>> ofStations(Collection<String> stationIds) {
        if (stationIds.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return list("stationId in ?1", Sort.by("stationId").and("procedureId"), stationIds);
    }
}
