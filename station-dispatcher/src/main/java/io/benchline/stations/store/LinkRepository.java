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

    /** Production links of a procedure, on stations of the procedure's organization only. */
    public Uni<List<Link>> production(String orgId, String procedureId) {
        return list("from Link l where l.procedureId = ?1 and l.environment = ?2"
                + " and exists (select 1 from Station s where s.id = l.stationId and s.orgId = ?3)"
                + " order by l.stationId", procedureId, Link.PRODUCTION, orgId);
    }

    /** Preview links of a procedure bound to exactly this branch, same organization. */
    public Uni<List<Link>> preview(String orgId, String procedureId, String branch) {
        return list("from Link l where l.procedureId = ?1 and l.environment = ?2 and l.branch = ?3"
                + " and exists (select 1 from Station s where s.id = l.stationId and s.orgId = ?4)"
                + " order by l.stationId", procedureId, Link.PREVIEW, branch, orgId);
    }
}
