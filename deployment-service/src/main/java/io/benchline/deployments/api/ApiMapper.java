package io.benchline.deployments.api;

import io.benchline.deployments.app.ApiKeys;
import io.benchline.deployments.app.DeploymentServiceConfig;
import io.benchline.deployments.app.DevelopmentConfig;
import io.benchline.deployments.app.DeploymentView;
import io.benchline.deployments.model.Deployment;
import io.benchline.deployments.model.Procedure;
import io.benchline.deployments.model.ProcedureReconcile;
import io.benchline.repositories.CloneUrlPolicy;
import jakarta.enterprise.context.ApplicationScoped;

/** Entities to API types, in one place. */
@ApplicationScoped
public class ApiMapper {
    private final String publicUrl;
    private final DevelopmentConfig development;

    public ApiMapper(DeploymentServiceConfig config, DevelopmentConfig development) {
        this.development = development;
        String url = config.publicUrl();
        this.publicUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    public ProcedureResponse procedure(Procedure p, boolean withSecret) {
        return new ProcedureResponse(p.id, p.name,
                // A URL stored before credentials had their own field may still carry them: never shown.
                p.cloneUrl == null ? null : new ProcedureResponse.Repository(p.provider,
                        CloneUrlPolicy.redact(p.cloneUrl), p.fullName, p.credentials != null,
                        p.credentials == null ? null : p.credentials.type,
                        p.credentials == null ? null : p.credentials.updatedAt),
                p.productionBranch, p.autoPush, p.excludedBranches,
                new ProcedureResponse.Webhook(p.hookId, publicUrl + "/webhooks/github/" + p.hookId,
                        publicUrl + "/webhooks/gitlab/" + p.hookId, withSecret ? p.hookSecret : null),
                p.createdAt, p.updatedAt,
                p.isPaused() ? new ProcedureResponse.Paused(p.pausedAt,
                        new ManagementRequests.ActorView(p.pausedByKeyId, p.pausedByName), p.pauseReason, p.pauseNote,
                        p.rollbackDeploymentId) : null,
                reconcile(p.reconcile()));
    }

    private static ProcedureResponse.ReconcileState reconcile(ProcedureReconcile r) {
        return new ProcedureResponse.ReconcileState(r.enabled, Intervals.format(r.intervalSeconds), r.lastReconciledAt,
                r.lastError == null ? null : new ProcedureResponse.LastError(r.lastError, r.lastErrorAt));
    }

    public DeploymentResponse deployment(DeploymentView view) {
        Deployment d = view.deployment();
        return new DeploymentResponse(d.id, new DeploymentResponse.ProcedureRef(d.procedureId, view.procedureName()),
                new DeploymentResponse.Commit(d.commitSha, d.commitMessage, d.commitAuthor, d.branch),
                d.environment, d.trigger, d.status, d.platform, d.language, d.runtimeVersion, d.startedAt, d.endedAt,
                d.artifactSizeBytes, d.createdAt, d.sequence, d.source,
                d.artifactDigest == null ? null
                        : new DeploymentResponse.Artifact(d.artifactDigest, d.artifactSignature, d.artifactKeyId),
                d.promotedFrom, d.retryOf, d.buildDurationMs, view.activeStations(), d.failureReason, d.entryPoint,
                d.reconciled, d.uploadId, d.sessionExpiresAt, d.sessionEndedAt,
                d.sessionExpiresAt == null ? null : development.heartbeatInterval().toSeconds(),
                d.sessionExpiresAt == null ? null : d.sessionExpiresAt.plus(development.removalDelay()));
    }

    public ApiKeyResponse apiKey(ApiKeys.KeyView view) {
        var k = view.key();
        return new ApiKeyResponse(k.id, k.name, k.role, k.createdAt, createdBy(view), k.revokedAt);
    }

    public ApiKeyResponse.Created newApiKey(ApiKeys.NewKey created) {
        var k = created.view().key();
        return new ApiKeyResponse.Created(k.id, k.name, k.role, k.createdAt, createdBy(created.view()),
                created.secret());
    }

    private static ApiKeyResponse.CreatedBy createdBy(ApiKeys.KeyView view) {
        return view.key().createdByKeyId == null ? null
                : new ApiKeyResponse.CreatedBy(view.key().createdByKeyId, view.createdByName());
    }
}
