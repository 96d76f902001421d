package io.benchline.deployments.store;

import io.benchline.deployments.model.BuildLogLine;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

@ApplicationScoped
public class BuildLogRepository {

    /** Stores a line once: a redelivered batch inserts nothing. */
    public Uni<Integer> insertIfAbsent(String deploymentId, long number, Instant timestamp, String level, String text) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "insert into build_log_lines (deployment_id, number, timestamp, level, text) values (?1, ?2, ?3, ?4, ?5)"
                                + " on conflict do nothing")
                .setParameter(1, deploymentId).setParameter(2, number)
                .setParameter(3, timestamp.atOffset(ZoneOffset.UTC)).setParameter(4, level).setParameter(5, text)
                .executeUpdate());
    }

    /** How many lines of the deployment are stored, and the highest line number (0 when none). */
    public Uni<Stored> stored(String deploymentId) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "select count(*), coalesce(max(number), 0) from build_log_lines where deployment_id = ?1",
                        Object[].class)
                .setParameter(1, deploymentId).getSingleResult())
                .map(row -> new Stored(((Number) row[0]).longValue(), ((Number) row[1]).longValue()));
    }

    public record Stored(long lines, long highestNumber) {
    }

    public Uni<List<BuildLogLine>> linesAfter(String deploymentId, long after, int limit) {
        return Panache.getSession().chain(s -> s.createSelectionQuery(
                        "from BuildLogLine where deploymentId = ?1 and number > ?2 order by number", BuildLogLine.class)
                .setParameter(1, deploymentId).setParameter(2, after).setMaxResults(limit).getResultList());
    }
}
