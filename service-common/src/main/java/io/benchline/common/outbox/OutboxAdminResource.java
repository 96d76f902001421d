package io.benchline.common.outbox;

import io.benchline.common.api.NotFound;
import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * For operators: the events the broker refused for good ({@code outbox_failed}), and their replay once the cause is
 * fixed (say, the broker's message size raised). Internal token, like every {@code /internal} route.
 */
@IfBuildProperty(name = "benchline.outbox.enabled", stringValue = "true")
@Path("/internal/v1/outbox/failed")
@Produces(MediaType.APPLICATION_JSON)
public class OutboxAdminResource {
    private final OutboxRelay relay;

    public OutboxAdminResource(OutboxRelay relay) {
        this.relay = relay;
    }

    public record FailedEvent(String id, String topic, String messageKey, String type, Instant occurredAt,
            Instant failedAt, String error, long payloadBytes) {
    }

    public record FailedList(List<FailedEvent> data) {
    }

    public record Replayed(String id, String status) {
    }

    /** The refused events, oldest first (at most {@code limit}, default 100, up to 1,000). */
    @GET
    public Uni<FailedList> list(@QueryParam("limit") Integer limit) {
        int max = limit == null ? 100 : Math.max(1, Math.min(1000, limit));
        return Panache.withSession(() -> Panache.getSession().chain(s -> s.createNativeQuery("""
                        select id, topic, message_key, type, occurred_at, failed_at, error, length(cast(payload as text))
                        from outbox_failed order by failed_at, id limit ?1""", Object[].class)
                .setParameter(1, max).getResultList()))
                .map(rows -> new FailedList(rows.stream().map(r -> new FailedEvent((String) r[0], (String) r[1],
                        (String) r[2], (String) r[3], instant(r[4]), instant(r[5]), (String) r[6],
                        ((Number) r[7]).longValue())).toList()));
    }

    /** Puts a refused event back into the outbox (behind the rows waiting now) and wakes the relay. */
    @POST
    @Path("/{id}/replay")
    public Uni<Replayed> replay(@PathParam("id") String id) {
        return Panache.withTransaction(() -> Panache.getSession().chain(s -> s.createNativeQuery("""
                                with back as (delete from outbox_failed where id = ?1
                                    returning id, aggregate_type, aggregate_id, type, topic, message_key, occurred_at,
                                        payload)
                                insert into outbox (id, aggregate_type, aggregate_id, type, topic, message_key,
                                    occurred_at, payload)
                                select id, aggregate_type, aggregate_id, type, topic, message_key, occurred_at, payload
                                from back""")
                        .setParameter(1, id).executeUpdate()))
                .map(rows -> {
                    if (rows == 0) {
                        throw new NotFound("refused outbox event", id);
                    }
                    relay.wake();
                    return new Replayed(id, "queued");
                });
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
