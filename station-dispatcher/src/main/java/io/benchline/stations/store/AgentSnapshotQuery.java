package io.benchline.stations.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * What an agent reads on every poll, in one statement: the station of the token, its assigned pointers with their
 * artifacts, and its open run requests. A woken fleet reads this thousands of times a second, so it is one round
 * trip without entities, and {@code last_seen_at} is written only when it is older than the resolution.
 */
@ApplicationScoped
public class AgentSnapshotQuery {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /**
     * One assigned pointer and the artifact of its deployment (null fields when the projection lacks them), with the
     * procedure's station settings (null: it has none, the defaults apply).
     */
    public record AssignedPointer(String procedureId, String deploymentId, long pointerVersion, String digest,
            Long sizeBytes, String signature, String keyId, String traceparent, String tracestate,
            Long idleWindowSeconds, Long maxDeferralSeconds) {
        /** The trace of the move that assigned it (null: none). */
        public io.benchline.common.tracing.TraceParent trace() {
            return io.benchline.common.tracing.TraceParent.of(traceparent, tracestate);
        }
    }

    public record OpenRunRequest(String id, String procedureId, String serialNumber) {
    }

    public record Row(String stationId, String orgId, Instant lastSeenAt, List<AssignedPointer> pointers,
            List<OpenRunRequest> runRequests) {
    }

    private static final String COLUMNS = """
            select s.id, s.org_id, s.last_seen_at,
                cast(coalesce((select json_agg(json_build_object(
                        'procedure_id', p.procedure_id, 'deployment_id', p.deployment_id,
                        'pointer_version', p.pointer_version, 'digest', d.artifact_digest,
                        'size_bytes', d.artifact_size_bytes, 'signature', d.artifact_signature,
                        'key_id', d.artifact_key_id, 'traceparent', p.traceparent, 'tracestate', p.tracestate,
                        'idle_window_seconds', ss.idle_window_seconds,
                        'max_deferral_seconds', ss.max_deferral_seconds)
                        order by p.procedure_id)
                    from pointers p left join deployments d on d.id = p.deployment_id
                        left join procedure_station_settings ss on ss.procedure_id = p.procedure_id
                    where p.station_id = s.id and p.deployment_id is not null), '[]') as text),
                cast(coalesce((select json_agg(json_build_object('id', r.id, 'procedure_id', r.procedure_id,
                        'serial_number', r.serial_number)
                        order by r.created_at, r.id)
                    from run_requests r where r.station_id = s.id and r.claimed_at is null), '[]') as text)
            """;
    private static final String BY_TOKEN = COLUMNS + " from stations s where s.agent_token_hash = ?1";
    private static final String BY_STATIONS =
            COLUMNS + " from stations s where s.id = any(string_to_array(cast(?1 as text), ','))";

    /** The snapshot of the station whose token hashes to this, or null when there is none. */
    public Uni<Row> read(String tokenHash, Duration lastSeenResolution) {
        return Panache.withSession(() -> Panache.getSession().chain(session -> session
                .createNativeQuery(BY_TOKEN, Object[].class).setParameter(1, tokenHash).getResultList()
                .chain(rows -> {
                    if (rows.isEmpty()) {
                        return Uni.createFrom().nullItem();
                    }
                    Row row = row(rows.get(0));
                    if (row.lastSeenAt() != null
                            && row.lastSeenAt().isAfter(Instant.now().minus(lastSeenResolution))) {
                        return Uni.createFrom().item(row);
                    }
                    return session.createNativeQuery("update stations set last_seen_at = now() where id = ?1")
                            .setParameter(1, row.stationId()).executeUpdate().replaceWith(row);
                })));
    }

    /** The snapshots of these stations (ids as the dispatcher wrote them), by station id, in one statement. */
    public Uni<java.util.Map<String, Row>> readStations(java.util.List<String> stationIds) {
        return Panache.withSession(() -> Panache.getSession().chain(session -> session
                .createNativeQuery(BY_STATIONS, Object[].class).setParameter(1, String.join(",", stationIds))
                .getResultList()
                .map(rows -> {
                    java.util.Map<String, Row> byStation = new java.util.HashMap<>();
                    rows.forEach(r -> {
                        Row row = row(r);
                        byStation.put(row.stationId(), row);
                    });
                    return byStation;
                })));
    }

    private static Row row(Object[] r) {
        try {
            return new Row((String) r[0], (String) r[1], instant(r[2]),
                    JSON.readValue((String) r[3], new TypeReference<List<AssignedPointer>>() { }),
                    JSON.readValue((String) r[4], new TypeReference<List<OpenRunRequest>>() { }));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot read an agent snapshot", e);
        }
    }

    private static Instant instant(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        if (value instanceof java.time.LocalDateTime l) {
            return l.toInstant(java.time.ZoneOffset.UTC);
        }
        return ((java.sql.Timestamp) value).toInstant();
    }
}
