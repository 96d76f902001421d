package io.benchline.deployments.store;

import io.benchline.events.EventCodec;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The reconciler's statements: claiming due procedures, the heads it saw, and "is this commit built already?". */
@ApplicationScoped
public class ReconcileRepository {

    /**
     * Claims up to {@code limit} enabled procedures whose pass is due, oldest due first: their next pass moves on by
     * their interval and their claim becomes {@code claim}. Rows another transaction holds (another instance's
     * claim, a push being handled) are skipped, not waited for, so one pass handles a procedure at a time.
     */
    public Uni<List<String>> claimDue(String claim, int limit) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        with due as (
                            select id from procedures
                            where reconcile_enabled and clone_url is not null and reconcile_next_at <= now()
                            order by reconcile_next_at, id
                            limit ?2
                            for update skip locked),
                        claimed as (
                            update procedures p set reconcile_claim = ?1,
                                reconcile_next_at = now() + make_interval(secs => p.reconcile_interval_seconds)
                            from due where p.id = due.id
                            returning p.id)
                        select id from claimed order by id""", String.class)
                .setParameter(1, claim).setParameter(2, limit).getResultList());
    }

    /** Claims one enabled procedure now, due or not, waiting for its row lock; false when it is not enabled. */
    public Uni<Boolean> claimNow(String procedureId, String claim) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        update procedures p set reconcile_claim = ?2,
                            reconcile_next_at = now() + make_interval(secs => p.reconcile_interval_seconds)
                        where p.id = ?1 and p.reconcile_enabled""")
                .setParameter(1, procedureId).setParameter(2, claim).executeUpdate()).map(n -> n > 0);
    }

    /** The heads the last pass recorded: branch → commit id. */
    public Uni<Map<String, String>> heads(String procedureId) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "select branch, commit_sha from reconcile_heads where procedure_id = ?1", Object[].class)
                .setParameter(1, procedureId).getResultList()).map(rows -> {
            Map<String, String> heads = new HashMap<>();
            for (Object[] row : rows) {
                heads.put((String) row[0], (String) row[1]);
            }
            return heads;
        });
    }

    /**
     * Makes the recorded heads exactly {@code heads} (two statements whatever their number): changed ones are
     * replaced, new ones added, branches that are gone removed.
     */
    public Uni<Void> replaceHeads(String procedureId, Map<String, String> heads) {
        var rows = EventCodec.mapper().createArrayNode();
        heads.forEach((branch, sha) -> rows.addObject().put("branch", branch).put("sha", sha));
        String json = rows.toString();
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        delete from reconcile_heads h where h.procedure_id = ?1 and not exists (
                            select 1 from jsonb_array_elements(cast(cast(?2 as text) as jsonb)) r
                            where r->>'branch' = h.branch)""")
                        .setParameter(1, procedureId).setParameter(2, json).executeUpdate()
                .chain(() -> s.createNativeQuery("""
                                insert into reconcile_heads (procedure_id, branch, commit_sha, seen_at)
                                select ?1, r->>'branch', r->>'sha', now()
                                from jsonb_array_elements(cast(cast(?2 as text) as jsonb)) r
                                on conflict (procedure_id, branch) do update
                                    set commit_sha = excluded.commit_sha, seen_at = excluded.seen_at
                                where reconcile_heads.commit_sha <> excluded.commit_sha""")
                        .setParameter(1, procedureId).setParameter(2, json).executeUpdate()))
                .replaceWithVoid();
    }

    /**
     * True when the procedure has a deployment of the commit that stations taking this branch would run: in
     * production any production deployment of it (push, reconciler, promote), in preview one of the same branch;
     * from any trigger, whatever its status, also deleted ones. The caller holds the procedure's row lock.
     */
    public Uni<Boolean> hasDeployment(String procedureId, String commitSha, String environment, String branch) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        select exists (select 1 from deployments d
                            where d.procedure_id = ?1 and d.commit_sha = ?2 and d.environment = ?3
                              and (d.environment <> 'preview' or d.branch = ?4)) as built""", Boolean.class)
                .setParameter(1, procedureId).setParameter(2, commitSha).setParameter(3, environment)
                .setParameter(4, branch).getSingleResult());
    }

    /**
     * A late webhook of a head the reconciler already built: gives that deployment the push's delivery id (so a
     * redelivery is a duplicate as ever) and returns its id, or null when there is none. It must be reconciled, not
     * claimed by an earlier delivery, of the same commit, environment and (for preview) branch, and still the newest
     * deployment of that environment and branch; otherwise the push is a move of its own and builds. The caller
     * holds the procedure's row lock.
     */
    public Uni<String> claimReconciled(String procedureId, String commitSha, String environment, String branch,
            String deliveryId) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        with late as (
                            select d.id from deployments d
                            where d.procedure_id = ?1 and d.commit_sha = ?2 and d.environment = ?3
                              and (d.environment <> 'preview' or d.branch = ?4)
                              and d.reconciled and d.delivery_id is null
                              and not exists (select 1 from deployments o
                                  where o.procedure_id = d.procedure_id and o.sequence > d.sequence
                                    and o.environment = d.environment
                                    and (o.environment <> 'preview' or o.branch = d.branch))
                            order by d.sequence desc limit 1),
                        claimed as (
                            update deployments d set delivery_id = ?5, updated_at = now()
                            from late where d.id = late.id
                            returning d.id)
                        select id from claimed""", String.class)
                .setParameter(1, procedureId).setParameter(2, commitSha).setParameter(3, environment)
                .setParameter(4, branch).setParameter(5, deliveryId).getResultList())
                .map(ids -> ids.isEmpty() ? null : ids.get(0));
    }
}
