package io.benchline.stations.store;

import io.benchline.stations.model.Station;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

@ApplicationScoped
public class StationRepository implements PanacheRepositoryBase<Station, String> {

    /** A station of this organization, or null: another organization's station does not exist for the caller. */
    public Uni<Station> findInOrg(String orgId, String id) {
        return find("id = ?1 and orgId = ?2", id, orgId).firstResult();
    }

    /** One page of the organization's stations in id (creation) order, after {@code afterId} when given. */
    public Uni<List<Station>> pageInOrg(String orgId, String afterId, int limit) {
        var query = afterId == null ? find("orgId = ?1", Sort.by("id"), orgId)
                : find("orgId = ?1 and id > ?2", Sort.by("id"), orgId, afterId);
        return query.page(0, limit).list();
    }

    public Uni<Station> findByTokenHash(String tokenHash) {
        return find("agentTokenHash", tokenHash).firstResult();
    }

    public Uni<Boolean> nameTaken(String orgId, String name) {
        return count("orgId = ?1 and name = ?2", orgId, name).map(n -> n > 0);
    }
}
