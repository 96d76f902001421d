package io.benchline.deployments.store;

import io.benchline.deployments.model.Organization;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.ZoneOffset;

@ApplicationScoped
public class OrganizationRepository implements PanacheRepositoryBase<Organization, String> {

    /** Inserts the organization unless one of that name exists (safe when several instances start at once). */
    public Uni<Void> insertIfAbsent(String id, String name, Instant now) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "insert into organizations (id, name, created_at) values (?1, ?2, ?3) on conflict (name) do nothing")
                .setParameter(1, id).setParameter(2, name).setParameter(3, now.atOffset(ZoneOffset.UTC))
                .executeUpdate()).replaceWithVoid();
    }

    public Uni<Organization> findByName(String name) {
        return find("name", name).firstResult();
    }
}
