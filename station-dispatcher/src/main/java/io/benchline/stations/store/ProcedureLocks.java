package io.benchline.stations.store;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A transaction-scoped PostgreSQL advisory lock per procedure. Fan-out and linking take it first, so
 * two ready events of one procedure, or a ready event and a new link, never decide on stale reads,
 * also across several dispatcher instances.
 */
@ApplicationScoped
public class ProcedureLocks {

    /** Must run inside a transaction; released at its end. */
    public Uni<Void> lock(String procedureId) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                        "select count(*) from (select pg_advisory_xact_lock(hashtextextended(?1, 7))) l", Long.class)
                .setParameter(1, "procedure:" + procedureId)
                .getSingleResult())
                .replaceWithVoid();
    }
}
