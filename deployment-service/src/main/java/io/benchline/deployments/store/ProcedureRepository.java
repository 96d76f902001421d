package io.benchline.deployments.store;

import io.benchline.deployments.model.Procedure;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import java.util.Collection;
import java.util.List;

@ApplicationScoped
public class ProcedureRepository implements PanacheRepositoryBase<Procedure, String> {

    /** The organization's procedure, or null: another organization's procedure does not exist for the caller. */
    public Uni<Procedure> findInOrg(String orgId, String id) {
        return find("id = ?1 and orgId = ?2", id, orgId).firstResult();
    }

    /** Same, with the row locked for the transaction: serializes sequence allocation per procedure. */
    public Uni<Procedure> lockInOrg(String orgId, String id) {
        return find("id = ?1 and orgId = ?2", id, orgId).withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
    }

    public Uni<List<Procedure>> listInOrg(String orgId) {
        return list("orgId", Sort.by("id"), orgId);
    }

    public Uni<List<Procedure>> findByIds(String orgId, Collection<String> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return list("orgId = ?1 and id in ?2", orgId, ids);
    }

    public Uni<Boolean> nameTaken(String orgId, String name, String exceptId) {
        return count("orgId = :org and name = :name and id <> :id",
                Parameters.with("org", orgId).and("name", name).and("id", exceptId == null ? "" : exceptId))
                .map(n -> n > 0);
    }

    public Uni<Procedure> findByHookId(String hookId) {
        return find("hookId", hookId).firstResult();
    }

    /**
     * Procedures of the organization whose repository matches any of the URL keys or the full name,
     * locked in id order (a fixed order, so two pushes touching the same procedures cannot deadlock).
     */
    public Uni<List<Procedure>> lockMatching(String orgId, Collection<String> urlKeys, String fullNameKey) {
        if (urlKeys.isEmpty() && fullNameKey == null) {
            return Uni.createFrom().item(List.of());
        }
        // Only the conditions the push can fill: a placeholder value for a missing one (the former "\u0000")
        // is refused by PostgreSQL, which made every push without URLs or without a full name fail.
        StringBuilder match = new StringBuilder();
        Parameters params = Parameters.with("org", orgId);
        if (!urlKeys.isEmpty()) {
            match.append("repositoryKey in :keys");
            params.and("keys", urlKeys);
        }
        if (fullNameKey != null) {
            match.append(match.isEmpty() ? "" : " or ").append("fullNameKey = :fullName");
            params.and("fullName", fullNameKey);
        }
        return find("orgId = :org and (" + match + ") order by id", params)
                .withLock(LockModeType.PESSIMISTIC_WRITE).list();
    }
}
