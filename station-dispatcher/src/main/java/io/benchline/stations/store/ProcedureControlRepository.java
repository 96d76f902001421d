package io.benchline.stations.store;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** The dispatcher's view of each procedure's promote / rollback / resume state (table procedure_controls). */
@ApplicationScoped
public class ProcedureControlRepository {

    /** A procedure's control state: paused by a rollback (and to which deployment), at a control version. */
    public record Control(String procedureId, boolean paused, String rollbackDeploymentId, long controlVersion) {
    }

    /**
     * Applies a control change unless a newer one (higher control version) was applied already: events of different
     * deployments travel on different partitions, so a rollback and a later resume can arrive in either order.
     *
     * @return true when the change was applied
     */
    public Uni<Boolean> apply(String procedureId, String orgId, boolean paused, String rollbackDeploymentId,
            long controlVersion) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                        insert into procedure_controls (procedure_id, org_id, paused, rollback_deployment_id,
                            control_version, updated_at)
                        values (?1, ?2, ?3, cast(?4 as text), ?5, now())
                        on conflict (procedure_id) do update set paused = excluded.paused,
                            rollback_deployment_id = excluded.rollback_deployment_id,
                            control_version = excluded.control_version, updated_at = now()
                        where procedure_controls.control_version < excluded.control_version""")
                .setParameter(1, procedureId)
                .setParameter(2, orgId)
                .setParameter(3, paused)
                .setParameter(4, rollbackDeploymentId)
                .setParameter(5, controlVersion)
                .executeUpdate())
                .map(rows -> rows == 1);
    }

    /** The procedure's control state; null when it was never promoted, rolled back or resumed. */
    public Uni<Control> find(String procedureId) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                        select procedure_id, paused, rollback_deployment_id, control_version
                        from procedure_controls where procedure_id = ?1""", Object[].class)
                .setParameter(1, procedureId)
                .getResultList())
                .map(rows -> rows.isEmpty() ? null : new Control((String) rows.get(0)[0], (Boolean) rows.get(0)[1],
                        (String) rows.get(0)[2], ((Number) rows.get(0)[3]).longValue()));
    }
}
