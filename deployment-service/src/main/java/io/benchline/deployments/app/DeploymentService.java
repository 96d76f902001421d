package io.benchline.deployments.app;

import io.benchline.common.api.ProblemException;
import io.benchline.common.auth.Caller;
import io.benchline.deployments.model.BuildLogLine;
import io.benchline.deployments.model.Deployment;
import io.benchline.deployments.model.Run;
import io.benchline.deployments.model.StationPointer;
import io.benchline.deployments.store.BuildLogRepository;
import io.benchline.deployments.store.DeploymentRepository;
import io.benchline.deployments.store.DeploymentRepository.DeploymentFilter;
import io.benchline.deployments.store.ProcedureHistoryRepository;
import io.benchline.deployments.store.ProcedureRepository;
import io.benchline.deployments.store.StationRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Manual deployments and every read of deployments, scoped to the caller's organization. */
@ApplicationScoped
public class DeploymentService {
    private final ProcedureRepository procedures;
    private final DeploymentRepository deployments;
    private final BuildLogRepository logs;
    private final StationRepository stations;
    private final NewDeployments newDeployments;
    private final ProcedureHistoryRepository history;
    private final ArtifactStoreClient artifacts;
    private final DevelopmentConfig development;

    public DeploymentService(ProcedureRepository procedures, DeploymentRepository deployments, BuildLogRepository logs,
            StationRepository stations, NewDeployments newDeployments, ProcedureHistoryRepository history,
            ArtifactStoreClient artifacts, DevelopmentConfig development) {
        this.artifacts = artifacts;
        this.development = development;
        this.history = history;
        this.procedures = procedures;
        this.deployments = deployments;
        this.logs = logs;
        this.stations = stations;
        this.newDeployments = newDeployments;
    }

    /** A manual build of a commit or a branch head: trigger manual, environment preview (production only by promote). */
    @WithTransaction
    public Uni<DeploymentView> createManual(String orgId, String procedureId, String commitSha, String branch) {
        return procedures.lockInOrg(orgId, procedureId).chain(p -> {
            if (p == null) {
                throw ProblemException.notFound("procedure", procedureId);
            }
            if (p.cloneUrl == null) {
                throw ProblemException.conflict("no-repository", "procedure " + p.id + " has no connected repository:"
                        + " connect one (PATCH /v2/procedures/{id} {repository}) or deploy a working tree with"
                        + " benchline deploy");
            }
            return newDeployments.create(p, new NewDeployments.NewDeployment(null, commitSha, null, null, branch,
                            Environments.PREVIEW, Environments.TRIGGER_MANUAL))
                    .map(d -> new DeploymentView(d, p.name, 0));
        });
    }

    /**
     * A deployment of an upload ({@code benchline deploy}/{@code dev}): trigger manual, the environment the caller
     * names, no branch (fan-out never moves pointers to it; it reaches stations by pin, or as production like any
     * production deployment). The upload must be the organization's, PUT completely (its stored size is the one
     * announced); the build checks the bytes against the announced sha256. A development deployment starts its
     * session here: it lives while heartbeats come.
     */
    public Uni<DeploymentView> createFromUpload(String orgId, String procedureId, String uploadId, String environment,
            String commitSha, String commitMessage, String commitAuthor) {
        return artifacts.upload(orgId, uploadId).chain(upload -> {
            if (upload.storedSizeBytes() == null) {
                throw ProblemException.conflict("upload-incomplete", "upload " + uploadId + " has no bytes yet: PUT"
                        + " the archive to the URL POST /v2/uploads answered, then create the deployment");
            }
            if (upload.storedSizeBytes() != upload.sizeBytes()) {
                throw ProblemException.conflict("upload-size-mismatch", "upload " + uploadId + " holds "
                        + upload.storedSizeBytes() + " bytes but " + upload.sizeBytes() + " were announced; upload"
                        + " again");
            }
            return io.quarkus.hibernate.reactive.panache.Panache.withTransaction(() -> createUploadDeployment(orgId,
                    procedureId, uploadId, environment, commitSha, commitMessage, commitAuthor));
        });
    }

    private Uni<DeploymentView> createUploadDeployment(String orgId, String procedureId, String uploadId, String environment,
            String commitSha, String commitMessage, String commitAuthor) {
        return procedures.lockInOrg(orgId, procedureId).chain(p -> {
            if (p == null) {
                throw ProblemException.notFound("procedure", procedureId);
            }
            java.time.Instant session = Environments.DEVELOPMENT.equals(environment)
                    ? Clock.now().plus(development.sessionTimeout()) : null;
            return newDeployments.create(p, new NewDeployments.NewDeployment(null, commitSha, commitMessage,
                            commitAuthor, null, environment, Environments.TRIGGER_MANUAL, "upload", null, false,
                            uploadId, session))
                    .map(d -> new DeploymentView(d, p.name, 0));
        });
    }

    /**
     * Keeps a development deployment's session alive for {@code benchline.development.session-timeout} more;
     * {@link SessionEnded} once it ended (timed out or ended by the CLI) or the deployment is gone.
     */
    @WithTransaction
    public Uni<Deployment> heartbeat(String orgId, String id) {
        return liveSession(orgId, id).invoke(d -> d.sessionExpiresAt = Clock.now().plus(development.sessionTimeout()));
    }

    /** Ends a development deployment's session now: it is removed {@code removal-delay} later. Idempotent. */
    @WithTransaction
    public Uni<Void> endSession(String orgId, String id) {
        return found(orgId, id).invoke(d -> {
            requireDevelopment(d);
            java.time.Instant now = Clock.now();
            if (d.sessionEndedAt == null) {
                d.sessionEndedAt = now;
            }
            if (d.sessionExpiresAt == null || d.sessionExpiresAt.isAfter(now)) {
                d.sessionExpiresAt = now;
            }
        }).replaceWithVoid();
    }

    private Uni<Deployment> liveSession(String orgId, String id) {
        return deployments.lock(id).map(d -> {
            if (d == null || !orgId.equals(d.orgId) || d.deletedAt != null) {
                throw ProblemException.notFound("deployment", id);
            }
            requireDevelopment(d);
            if (d.sessionEndedAt != null || d.deletingSince != null || d.sessionExpiresAt == null
                    || !d.sessionExpiresAt.isAfter(Clock.now())) {
                throw new SessionEnded(d.id, d.sessionEndedAt != null ? d.sessionEndedAt : d.sessionExpiresAt);
            }
            return d;
        });
    }

    private static void requireDevelopment(Deployment d) {
        if (!Environments.DEVELOPMENT.equals(d.environment)) {
            throw ProblemException.conflict("not-development", "deployment " + d.id + " is a " + d.environment
                    + " deployment; only development deployments have a session");
        }
    }

    /** A heartbeat for a session that is over: the CLI must start a new one. */
    public static final class SessionEnded extends ProblemException {
        public SessionEnded(String deploymentId, java.time.Instant at) {
            super(409, "session-ended", "Session ended", "the development session of deployment " + deploymentId
                    + " ended at " + at + "; it will be removed: run benchline dev again");
        }
    }

    /**
     * Builds a failed deployment's commit again: a new pending deployment with {@code retry_of}, trigger manual, the
     * same commit, branch, environment and source. Its row, build.requested and created commit together
     * (NewDeployments). Any other status is {@link DeploymentNotFailed}.
     *
     * @param caller who re-runs it: its organization scopes the lookup (another organization's deployment is 404)
     */
    @WithTransaction
    public Uni<DeploymentView> rerun(Caller caller, String id) {
        String orgId = caller.orgId();
        // A failed deployment stays failed (final state), so the status read needs no lock; the procedure row is
        // locked for the sequence.
        return found(orgId, id).chain(failed -> {
            if (!Deployment.FAILED.equals(failed.status)) {
                throw new DeploymentNotFailed(failed.id, failed.status);
            }
            return procedures.lockInOrg(orgId, failed.procedureId).chain(p -> newDeployments.create(p,
                            new NewDeployments.NewDeployment(null, failed.commitSha, failed.commitMessage,
                                    failed.commitAuthor, failed.branch, failed.environment,
                                    Environments.TRIGGER_MANUAL, failed.source, failed.id, false, failed.uploadId,
                                    Environments.DEVELOPMENT.equals(failed.environment)
                                            ? Clock.now().plus(development.sessionTimeout()) : null))
                    .call(d -> history.record(p.id, p.orgId, "rerun", d.id, failed.id, caller.keyId(),
                            caller.keyName(), null))
                    .map(d -> new DeploymentView(d, p.name, 0)));
        });
    }

    /**
     * The artifact digest of a ready deployment; {@link DeploymentNotReady} while it has none.
     *
     * @param action what needs it, for the error's detail
     */
    @WithSession
    public Uni<String> readyArtifact(String orgId, String id, String action) {
        return found(orgId, id).map(d -> {
            if (!Deployment.READY.equals(d.status) || d.artifactDigest == null) {
                throw new DeploymentNotReady(d.id, d.status, action);
            }
            return d.artifactDigest;
        });
    }

    @WithSession
    public Uni<DeploymentView> get(String orgId, String id) {
        return found(orgId, id).chain(d -> views(orgId, List.of(d))).map(views -> views.get(0));
    }

    /** One page, newest first, and the cursor of the next page (null on the last). */
    @WithSession
    public Uni<Page> list(DeploymentFilter filter, int limit) {
        return deployments.page(filter, limit + 1).chain(rows -> {
            boolean more = rows.size() > limit;
            List<Deployment> page = more ? rows.subList(0, limit) : rows;
            return views(filter.orgId(), page).map(views -> new Page(views, more ? page.get(page.size() - 1).id : null));
        });
    }

    @WithSession
    public Uni<List<BuildLogLine>> logs(String orgId, String id, long after, int limit) {
        return found(orgId, id).chain(d -> logs.linesAfter(d.id, after, limit));
    }

    /** A page of log lines and whether the log is complete (the deployment was final before the lines were read). */
    public record LogPage(List<BuildLogLine> lines, String status, boolean complete) {
    }

    @WithSession
    public Uni<LogPage> logPage(String orgId, String id, long after, int limit) {
        // The status first: a final deployment has every line stored, so the lines read after it are all of them.
        return found(orgId, id).chain(d -> logs.linesAfter(d.id, after, limit)
                .map(lines -> new LogPage(lines, d.status, d.isFinal())));
    }

    @WithSession
    public Uni<List<StationPointer>> stations(String orgId, String id) {
        return found(orgId, id).chain(d -> stations.pointersNaming(d.id));
    }

    @WithSession
    public Uni<List<Run>> runs(String orgId, String id, int limit) {
        return found(orgId, id).chain(d -> stations.runsOf(d.id, limit));
    }

    /** The organization's deployment; 410 (with when and why) for an expired one, 404 for none. */
    private Uni<Deployment> found(String orgId, String id) {
        return deployments.findInOrg(orgId, id).chain(d -> d != null ? Uni.createFrom().item(d)
                : deployments.findExpiredInOrg(orgId, id).map(expired -> {
                    if (expired != null) {
                        throw new Expired(expired.id, expired.expiredAt, expired.expiredReason);
                    }
                    throw ProblemException.notFound("deployment", id);
                }));
    }

    /** 410 Gone: an expired preview, with {@code expired_at} and the reason. */
    public static final class Expired extends ProblemException {
        public Expired(String id, java.time.Instant at, String reason) {
            super(410, "expired", "Deployment expired", "deployment " + id + " expired at " + at + ": " + reason);
        }
    }

    private Uni<List<DeploymentView>> views(String orgId, List<Deployment> page) {
        List<String> procedureIds = page.stream().map(d -> d.procedureId).distinct().toList();
        List<String> ids = page.stream().map(d -> d.id).toList();
        return procedures.findByIds(orgId, procedureIds).chain(ps -> stations.activeStations(ids).map(active -> {
            Map<String, String> names = ps.stream().collect(Collectors.toMap(p -> p.id, p -> p.name));
            return page.stream().map(d -> new DeploymentView(d, names.get(d.procedureId),
                    active.getOrDefault(d.id, 0L))).toList();
        }));
    }

    public record Page(List<DeploymentView> data, String nextCursor) {
    }
}
