package io.benchline.stations.store;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** A procedure's station settings (table procedure_station_settings): idle window and max deferral, in seconds. */
@ApplicationScoped
public class StationSettingsRepository {

    /** The stored settings of a procedure. */
    public record Settings(String procedureId, String orgId, long idleWindowSeconds, long maxDeferralSeconds) {
    }

    /** The procedure's stored settings, or null when it has none (the defaults apply). */
    public Uni<Settings> find(String procedureId) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                        select procedure_id, org_id, idle_window_seconds, max_deferral_seconds
                        from procedure_station_settings where procedure_id = ?1""", Object[].class)
                .setParameter(1, procedureId)
                .getResultList())
                .map(rows -> rows.isEmpty() ? null : new Settings((String) rows.get(0)[0], (String) rows.get(0)[1],
                        ((Number) rows.get(0)[2]).longValue(), ((Number) rows.get(0)[3]).longValue()));
    }

    /** Stores the settings; a row of another organization is left alone (the caller checked it first). */
    public Uni<Void> save(Settings settings) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                        insert into procedure_station_settings (procedure_id, org_id, idle_window_seconds,
                            max_deferral_seconds, updated_at)
                        values (?1, ?2, ?3, ?4, now())
                        on conflict (procedure_id) do update set idle_window_seconds = excluded.idle_window_seconds,
                            max_deferral_seconds = excluded.max_deferral_seconds, updated_at = now()
                        where procedure_station_settings.org_id = excluded.org_id""")
                .setParameter(1, settings.procedureId())
                .setParameter(2, settings.orgId())
                .setParameter(3, (int) settings.idleWindowSeconds())
                .setParameter(4, (int) settings.maxDeferralSeconds())
                .executeUpdate())
                .replaceWithVoid();
    }

    /** Removes the procedure's settings of this organization (the defaults apply again). */
    public Uni<Void> delete(String procedureId, String orgId) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                        "delete from procedure_station_settings where procedure_id = ?1 and org_id = ?2")
                .setParameter(1, procedureId)
                .setParameter(2, orgId)
                .executeUpdate())
                .replaceWithVoid();
    }
}
