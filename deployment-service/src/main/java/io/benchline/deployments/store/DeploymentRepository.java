package io.benchline.deployments.store;

import io.benchline.deployments.model.Deployment;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import io.quarkus.hibernate.reactive.panache.Panache;
import jakarta.persistence.LockModeType;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

@ApplicationScoped
public class DeploymentRepository implements PanacheRepositoryBase<Deployment, String> {

    /** The organization's deployment; null when it does not exist, is another's, or was deleted. */
    public Uni<Deployment> findInOrg(String orgId, String id) {
        return find("id = ?1 and orgId = ?2 and deletedAt is null", id, orgId).firstResult();
    }

    /** The organization's deployment that retention expired; null when there is none. */
    public Uni<Deployment> findExpiredInOrg(String orgId, String id) {
        return find("id = ?1 and orgId = ?2 and expiredAt is not null", id, orgId).firstResult();
    }

    /** Locks the organization's deployment row (not deleted); null when there is none. */
    public Uni<Deployment> lockInOrg(String orgId, String id) {
        return find("id = ?1 and orgId = ?2 and deletedAt is null", id, orgId)
                .withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
    }

    /**
     * True when the artifact digest may still be needed: a deployment that is not deleted references it (a promote
     * shares it), or a build of a commit that made it is still pending or building (a rebuild of the same commit
     * yields the same digest, and may have uploaded it before the delete).
     */
    public Uni<Boolean> digestInUse(String digest) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        select (exists (select 1 from deployments where artifact_digest = ?1 and deleted_at is null)
                            or exists (select 1 from deployments b
                                       join deployments gone on gone.artifact_digest = ?1
                                           and gone.commit_sha = b.commit_sha
                                       where b.status in ('pending', 'building'))) as used""", Boolean.class)
                .setParameter(1, digest).getSingleResult());
    }

    /** Locks the deployment row: build events for one deployment arrive on several topics at once. */
    public Uni<Deployment> lock(String id) {
        return findById(id, LockModeType.PESSIMISTIC_WRITE);
    }

    /**
     * Locks up to {@code limit} deployments whose build.completed has been held since before {@code heldBefore},
     * oldest first. Rows another transaction holds (a log batch, another instance's sweeper) are skipped, not
     * waited for: each held build is finalized by exactly one transaction.
     */
    public Uni<List<Deployment>> lockHeldSince(Instant heldBefore, int limit) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "select * from deployments where " + HELD_AND_NOT_FINAL + " and held_since <= ?1"
                                + " order by held_since limit ?2 for update skip locked", Deployment.class)
                .setParameter(1, heldBefore.atOffset(ZoneOffset.UTC)).setParameter(2, limit).getResultList());
    }

    /** Pending deployments created before {@code before}: no worker took them. */
    public Uni<List<String>> pendingSince(Instant before, int limit) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        select id from deployments
                        where status = 'pending' and held_since is null and deleted_at is null and created_at < ?1
                        order by created_at limit ?2""", String.class)
                .setParameter(1, before.atOffset(ZoneOffset.UTC)).setParameter(2, limit).getResultList());
    }

    /** Building deployments whose last sign of life (start, newest log line) is older than {@code before}. */
    public Uni<List<String>> silentSince(Instant before, int limit) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        select d.id from deployments d
                        where d.status = 'building' and d.held_since is null and d.deleted_at is null
                          and coalesce((select max(l.timestamp) from build_log_lines l where l.deployment_id = d.id),
                                       d.started_at, d.created_at) < ?1
                        order by d.created_at limit ?2""", String.class)
                .setParameter(1, before.atOffset(ZoneOffset.UTC)).setParameter(2, limit).getResultList());
    }

    /** A build.completed is held and the status is not final yet (finalizing clears the hold). */
    private static final String HELD_AND_NOT_FINAL = "held_since is not null and status in ('pending', 'building')";

    public Uni<Boolean> existsForDelivery(String procedureId, String deliveryId) {
        return count("procedureId = ?1 and deliveryId = ?2", procedureId, deliveryId).map(n -> n > 0);
    }

    /** One page, newest first; ids are time-ordered, so "older than the cursor" is "id < cursor". */
    public Uni<List<Deployment>> page(DeploymentFilter filter, int limit) {
        StringBuilder query = new StringBuilder("orgId = :org and deletedAt is null");
        Parameters params = Parameters.with("org", filter.orgId());
        if (filter.procedureId() != null) {
            query.append(" and procedureId = :procedure");
            params.and("procedure", filter.procedureId());
        }
        if (filter.status() != null) {
            query.append(" and status = :status");
            params.and("status", filter.status());
        }
        if (filter.environment() != null) {
            query.append(" and environment = :environment");
            params.and("environment", filter.environment());
        }
        if (filter.cursor() != null) {
            query.append(" and id < :cursor");
            params.and("cursor", filter.cursor());
        }
        query.append(" order by id desc");
        return find(query.toString(), params).range(0, limit - 1).list();
    }

    public record DeploymentFilter(String orgId, String procedureId, String status, String environment, String cursor) {
    }
}
