package io.benchline.deployments.app;

import io.benchline.common.outbox.ProcessedEvents;
import io.benchline.deployments.model.Procedure;
import io.benchline.deployments.model.RepositoryKeys;
import io.benchline.deployments.store.DeploymentRepository;
import io.benchline.deployments.store.ProcedureRepository;
import io.benchline.deployments.store.ReconcileRepository;
import io.benchline.events.Commit;
import io.benchline.events.DeploymentRequested;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns a verified push ({@code deployment.requested}) into one pending deployment per matching procedure:
 * production on the procedure's production branch, preview elsewhere; tags, deletions, pushes without a
 * commit and excluded branches build nothing. A late webhook of a head the reconciler already built (under the same
 * procedure lock, {@link ReconcileRepository#claimReconciled}) builds nothing either: it only claims that deployment.
 */
@ApplicationScoped
public class PushHandler {
    public static final String CONSUMER = "deployment-service.push";
    private static final Logger LOG = Logger.getLogger(PushHandler.class);
    private static final String ZERO_SHA = "0".repeat(40);

    private final ProcessedEvents processed;
    private final ProcedureRepository procedures;
    private final DeploymentRepository deployments;
    private final NewDeployments newDeployments;
    private final ReconcileRepository reconciled;

    public PushHandler(ProcessedEvents processed, ProcedureRepository procedures, DeploymentRepository deployments,
            NewDeployments newDeployments, ReconcileRepository reconciled) {
        this.reconciled = reconciled;
        this.processed = processed;
        this.procedures = procedures;
        this.deployments = deployments;
        this.newDeployments = newDeployments;
    }

    /** @return how many deployments the push created */
    @WithTransaction
    public Uni<Integer> handle(String eventId, DeploymentRequested push) {
        return processed.firstTime(eventId, CONSUMER).chain(first -> {
            if (!first) {
                return Uni.createFrom().item(0);
            }
            String skip = skipReason(push);
            if (skip != null) {
                LOG.debugf("push %s (%s): nothing to build, %s", push.deliveryId(), push.ref(), skip);
                return Uni.createFrom().item(0);
            }
            return procedures.lockMatching(push.orgId(), urlKeys(push.repository()),
                            push.repository() == null ? null : RepositoryKeys.normalizeFullName(push.repository().fullName()))
                    .chain(matched -> createEach(push, matched, 0, 0));
        });
    }

    /** One procedure after the other: they share the session, which runs one statement at a time. */
    private Uni<Integer> createEach(DeploymentRequested push, List<Procedure> matched, int index, int created) {
        if (index >= matched.size()) {
            return Uni.createFrom().item(created);
        }
        Procedure p = matched.get(index);
        return createFor(push, p).chain(made -> createEach(push, matched, index + 1, created + (made ? 1 : 0)));
    }

    private Uni<Boolean> createFor(DeploymentRequested push, Procedure p) {
        String branch = push.refName();
        if (p.isExcluded(branch)) {
            LOG.debugf("push %s: branch %s is excluded by procedure %s", push.deliveryId(), branch, p.id);
            return Uni.createFrom().item(false);
        }
        // Invariant 1 beyond the event id: a redelivery republished under a new event id finds its deployment.
        return deployments.existsForDelivery(p.id, push.deliveryId()).chain(exists -> {
            if (exists) {
                LOG.infof("push %s already made a deployment of procedure %s", push.deliveryId(), p.id);
                return Uni.createFrom().item(false);
            }
            Commit head = push.headCommit();
            boolean sameCommit = head != null && (head.sha() == null || head.sha().equalsIgnoreCase(push.commitSha()));
            String environment = branch.equals(p.productionBranch) ? Environments.PRODUCTION : Environments.PREVIEW;
            String sha = push.commitSha().toLowerCase(Locale.ROOT);
            // The reconciler may have built this head before its webhook arrived: then the webhook only claims it.
            return reconciled.claimReconciled(p.id, sha, environment, branch, push.deliveryId()).chain(claimed -> {
                if (claimed != null) {
                    LOG.infof("push %s: the reconciler already built %s of %s as %s", push.deliveryId(), sha,
                            branch, claimed);
                    return Uni.createFrom().item(false);
                }
                return newDeployments.create(p, new NewDeployments.NewDeployment(push.deliveryId(), sha,
                                sameCommit ? head.message() : null, sameCommit ? head.author() : null,
                                branch, environment, Environments.TRIGGER_AUTO))
                        .replaceWith(true);
            });
        });
    }

    /** Why this push builds nothing at all, or null when it may. */
    static String skipReason(DeploymentRequested push) {
        if ("tag".equals(push.refType()) || (push.ref() != null && push.ref().startsWith("refs/tags/"))) {
            return "a tag push";
        }
        if (push.deleted() || ZERO_SHA.equals(push.after())) {
            return "a branch deletion";
        }
        if (push.commitSha() == null || push.commitSha().isBlank() || ZERO_SHA.equals(push.commitSha())) {
            return "no commit";
        }
        if (push.refName() == null || push.refName().isBlank()) {
            return "no branch name";
        }
        return null;
    }

    private static Set<String> urlKeys(DeploymentRequested.Repository repository) {
        Set<String> keys = new LinkedHashSet<>();
        if (repository != null) {
            for (String url : new String[] {repository.cloneUrl(), repository.sshUrl(), repository.htmlUrl()}) {
                String key = RepositoryKeys.normalizeUrl(url);
                if (key != null) {
                    keys.add(key);
                }
            }
        }
        return keys;
    }
}
