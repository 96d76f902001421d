package io.benchline.deployments.store;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

/** procedure_history: promote, rollback, resume, delete and rerun of a procedure, newest first by seq. */
@ApplicationScoped
public class ProcedureHistoryRepository {

    public record Entry(long seq, String procedureId, String action, String deploymentId, String fromDeploymentId,
            String actorKeyId, String actorName, String note, Instant at) {
    }

    public Uni<Void> record(String procedureId, String orgId, String action, String deploymentId,
            String fromDeploymentId, String actorKeyId, String actorName, String note) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        insert into procedure_history (procedure_id, org_id, action, deployment_id, from_deployment_id,
                            actor_key_id, actor_name, note, at)
                        values (?1, ?2, ?3, cast(?4 as text), cast(?5 as text), cast(?6 as text), cast(?7 as text),
                            cast(?8 as text), now())""")
                .setParameter(1, procedureId).setParameter(2, orgId).setParameter(3, action)
                .setParameter(4, deploymentId).setParameter(5, fromDeploymentId).setParameter(6, actorKeyId)
                .setParameter(7, actorName).setParameter(8, note)
                .executeUpdate()).replaceWithVoid();
    }

    /** Up to {@code limit} entries older than {@code beforeSeq} (null: the newest). */
    public Uni<List<Entry>> page(String procedureId, Long beforeSeq, int limit) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        select seq, procedure_id, action, deployment_id, from_deployment_id, actor_key_id, actor_name,
                            note, at
                        from procedure_history
                        where procedure_id = ?1 and (cast(?2 as bigint) is null or seq < cast(?2 as bigint))
                        order by seq desc limit ?3""", Object[].class)
                .setParameter(1, procedureId).setParameter(2, beforeSeq).setParameter(3, limit)
                .getResultList())
                .map(rows -> rows.stream().map(r -> new Entry(((Number) r[0]).longValue(), (String) r[1],
                        (String) r[2], (String) r[3], (String) r[4], (String) r[5], (String) r[6], (String) r[7],
                        instant(r[8]))).toList());
    }

    private static Instant instant(Object value) {
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        return value == null ? null : java.sql.Timestamp.valueOf(value.toString()).toInstant();
    }
}
