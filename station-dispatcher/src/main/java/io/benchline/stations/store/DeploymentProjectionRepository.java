package io.benchline.stations.store;

import io.benchline.events.DeploymentEvent;
import io.benchline.stations.model.ProjectedDeployment;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class DeploymentProjectionRepository implements PanacheRepositoryBase<ProjectedDeployment, String> {

    /*
     * One statement, so concurrent or reordered events cannot interleave: status only moves up the
     * ladder pending < building < ready|failed, the first artifact seen stays (it is immutable),
     * deleted stays deleted.
     */
    private static final String UPSERT = """
            insert into deployments (id, org_id, procedure_id, sequence, environment, branch, status,
                artifact_digest, artifact_size_bytes, artifact_signature, artifact_key_id, deleted, updated_at)
            values (?1, ?2, ?3, ?4, ?5, cast(?6 as text), ?7, cast(?8 as text), cast(?9 as bigint),
                cast(?10 as text), cast(?11 as text), ?12, now())
            on conflict (id) do update set
                status = case when (case excluded.status when 'ready' then 2 when 'failed' then 2
                                        when 'building' then 1 else 0 end)
                                 > (case deployments.status when 'ready' then 2 when 'failed' then 2
                                        when 'building' then 1 else 0 end)
                              then excluded.status else deployments.status end,
                artifact_digest = coalesce(deployments.artifact_digest, excluded.artifact_digest),
                artifact_size_bytes = coalesce(deployments.artifact_size_bytes, excluded.artifact_size_bytes),
                artifact_signature = coalesce(deployments.artifact_signature, excluded.artifact_signature),
                artifact_key_id = coalesce(deployments.artifact_key_id, excluded.artifact_key_id),
                deleted = deployments.deleted or excluded.deleted,
                updated_at = now()
            """;

    /** Applies one lifecycle event to the projection and returns the row as it is now. */
    public Uni<ProjectedDeployment> apply(DeploymentEvent e) {
        boolean deleted = DeploymentEvent.DELETED.equals(e.change());
        return Panache.getSession().chain(session -> session.createNativeQuery(UPSERT)
                        .setParameter(1, e.deploymentId())
                        .setParameter(2, e.orgId())
                        .setParameter(3, e.procedureId())
                        .setParameter(4, e.sequence())
                        .setParameter(5, e.environment())
                        .setParameter(6, e.branch())
                        .setParameter(7, e.status())
                        .setParameter(8, e.artifact() == null ? null : e.artifact().digest())
                        .setParameter(9, e.artifact() == null ? null : e.artifact().sizeBytes())
                        .setParameter(10, e.artifact() == null ? null : e.artifact().signature())
                        .setParameter(11, e.artifact() == null ? null : e.artifact().keyId())
                        .setParameter(12, deleted)
                        .executeUpdate()
                        .chain(() -> session.find(ProjectedDeployment.class, e.deploymentId()))
                        .call(row -> session.refresh(row)));
    }

    /** The newest ready, not deleted deployment a new link of this kind may point at right away. */
    public Uni<ProjectedDeployment> newestDeployable(String orgId, String procedureId, String environment,
            String branch) {
        String branchClause = branch == null ? "" : " and branch = ?5";
        var query = find("orgId = ?1 and procedureId = ?2 and environment = ?3 and status = ?4"
                        + " and deleted = false and artifactDigest is not null" + branchClause
                        + " order by sequence desc",
                branch == null
                        ? new Object[] {orgId, procedureId, environment, ProjectedDeployment.READY}
                        : new Object[] {orgId, procedureId, environment, ProjectedDeployment.READY, branch});
        return query.firstResult();
    }
}
