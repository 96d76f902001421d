package io.benchline.stations.store;

import io.benchline.stations.model.Run;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

@ApplicationScoped
public class RunRepository implements PanacheRepositoryBase<Run, String> {

    public Uni<List<Run>> newestOfStation(String stationId, int limit) {
        return find("stationId", Sort.descending("createdAt").and("id", Sort.Direction.Descending), stationId)
                .page(Page.ofSize(limit)).list();
    }
}
