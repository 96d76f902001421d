package io.benchline.stations.store;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

/** Reads station_history, newest first, paged by its sequence number. */
@ApplicationScoped
public class HistoryRepository {

    /** One history line. */
    public record Entry(long seq, String stationId, String procedureId, String action, String reason,
            String fromDeploymentId, String toDeploymentId, Long pointerVersion, String actorKeyId, String actorName,
            String note, Instant at) {
    }

    /** Up to {@code limit} lines of the station older than {@code beforeSeq} (null: the newest). */
    public Uni<List<Entry>> ofStation(String stationId, Long beforeSeq, int limit) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                        select seq, station_id, procedure_id, action, reason, from_deployment_id, to_deployment_id,
                            pointer_version, actor_key_id, actor_name, note, at
                        from station_history
                        where station_id = ?1 and (cast(?2 as bigint) is null or seq < cast(?2 as bigint))
                        order by seq desc limit ?3""", Object[].class)
                .setParameter(1, stationId)
                .setParameter(2, beforeSeq)
                .setParameter(3, limit)
                .getResultList())
                .map(rows -> rows.stream().map(r -> new Entry(((Number) r[0]).longValue(), (String) r[1],
                        (String) r[2], (String) r[3], (String) r[4], (String) r[5], (String) r[6],
                        r[7] == null ? null : ((Number) r[7]).longValue(), (String) r[8], (String) r[9],
                        (String) r[10], instant(r[11]))).toList());
    }

    private static Instant instant(Object value) {
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        if (value instanceof java.sql.Timestamp t) {
            return t.toInstant();
        }
        return value == null ? null : Instant.parse(value.toString());
    }
}
