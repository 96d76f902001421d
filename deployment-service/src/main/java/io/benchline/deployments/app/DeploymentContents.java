package io.benchline.deployments.app;

import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/**
 * What a ready deployment's artifact holds, read from artifact-store: the file list, and one file streamed. The
 * deployment is looked up in the caller's organization first, so another organization's artifact stays unknown.
 */
@ApplicationScoped
public class DeploymentContents {
    private final DeploymentService deployments;
    private final ArtifactStoreClient artifacts;

    public DeploymentContents(DeploymentService deployments, ArtifactStoreClient artifacts) {
        this.deployments = deployments;
        this.artifacts = artifacts;
    }

    public Uni<List<ArtifactStoreClient.Entry>> list(String orgId, String deploymentId) {
        return deployments.readyArtifact(orgId, deploymentId, "listing its contents").chain(artifacts::contents);
    }

    /** Opens one file of the artifact. Blocks (a database read, then artifact-store's headers): worker threads only. */
    public ArtifactStoreClient.FileStream open(String orgId, String deploymentId, String path) {
        String digest;
        try {
            digest = VertxContextSupport.subscribeAndAwait(
                    () -> deployments.readyArtifact(orgId, deploymentId, "reading a file of it"));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        return artifacts.openFile(digest, path);
    }
}
