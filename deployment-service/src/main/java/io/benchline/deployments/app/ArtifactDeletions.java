package io.benchline.deployments.app;

import io.benchline.common.auth.AuthConfig;
import io.benchline.common.auth.InternalTokenFilter;
import io.benchline.common.notify.SafeContext;
import io.benchline.deployments.store.DeploymentRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Frees the artifact bytes of deleted deployments. A delete records the digest ({@code artifact_deletions}) in its
 * transaction; afterwards, and every minute for what failed, each recorded digest that no live deployment
 * references any more (a promote shares its preview's digest) is deleted from artifact-store, unless it was
 * uploaded again after the delete (a rebuild of the same commit has the same digest; artifact-store decides that
 * under its own lock).
 */
@ApplicationScoped
public class ArtifactDeletions {
    private static final Logger LOG = Logger.getLogger(ArtifactDeletions.class);
    private final DeploymentRepository deployments;
    private final AuthConfig auth;
    private final Vertx vertx;
    private final ArtifactApi api;
    private final AtomicBoolean running = new AtomicBoolean();

    public ArtifactDeletions(DeploymentRepository deployments, AuthConfig auth, Vertx vertx,
            DeploymentServiceConfig config) {
        String artifactUrl = config.services().artifactUrl();
        Duration timeout = config.services().artifactTimeout();
        this.deployments = deployments;
        this.auth = auth;
        this.vertx = vertx;
        this.api = QuarkusRestClientBuilder.newBuilder().baseUri(URI.create(artifactUrl))
                .connectTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .build(ArtifactApi.class);
    }

    /** Records a digest a delete may have freed; in the caller's transaction. */
    public Uni<Void> request(String digest) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        insert into artifact_deletions (digest, requested_at) values (?1, now())
                        on conflict (digest) do update set requested_at = now()""")
                .setParameter(1, digest).executeUpdate()).replaceWithVoid();
    }

    /** Works off the recorded digests soon, on a context of its own. */
    public void wake() {
        SafeContext.run(vertx, "artifact-deletions", this::sweep);
    }

    @Scheduled(every = "${benchline.deployments.artifact-sweep-interval:60s}", delay = 10,
            delayUnit = TimeUnit.SECONDS, concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return sweep();
    }

    /** One pass over the recorded digests (at most 100); failures stay recorded for the next pass. */
    public Uni<Void> sweep() {
        if (!running.compareAndSet(false, true)) {
            return Uni.createFrom().voidItem();
        }
        return Panache.withSession(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                        "select digest, requested_at from artifact_deletions order by requested_at limit 100",
                        Object[].class).getResultList()))
                .onItem().transformToMulti(rows -> Multi.createFrom().iterable(rows))
                .onItem().transformToUniAndConcatenate(r -> one((String) r[0], instant(r[1])))
                .collect().asList().replaceWithVoid()
                .onFailure().invoke(f -> LOG.warnf("artifact deletion pass failed: %s", f.toString()))
                .onFailure().recoverWithNull()
                .eventually(() -> running.set(false));
    }

    private Uni<Void> one(String digest, Instant requestedAt) {
        return Panache.withSession(() -> deployments.digestInUse(digest)).chain(inUse -> {
            if (inUse) {
                // Kept for now; the record stays, so a build of the same commit that fails later frees it then.
                LOG.debugf("artifact %s is still referenced or being rebuilt; kept", digest);
                return keepOrForget(digest, requestedAt);
            }
            io.vertx.core.Context context = Vertx.currentContext();
            return api.delete(digest, requestedAt.toString(), auth.internalToken())
                    .emitOn(command -> context.runOnContext(v -> command.run()))
                    .onFailure(jakarta.ws.rs.WebApplicationException.class)
                    .recoverWithItem(f -> ((jakarta.ws.rs.WebApplicationException) f).getResponse())
                    .chain(response -> {
                        try (response) {
                            int status = response.getStatus();
                            if (status == 204 || status == 404 || status == 409) {
                                LOG.infof("artifact %s: %s", digest, status == 409
                                        ? "uploaded again after the delete; kept" : "deleted from storage");
                                return forget(digest, requestedAt);
                            }
                            LOG.warnf("artifact-store answered %d to deleting %s; retried later", status, digest);
                            return Uni.createFrom().voidItem();
                        }
                    })
                    .onFailure().recoverWithUni(f -> {
                        LOG.warnf("artifact-store unreachable for deleting %s; retried later: %s", digest, f.toString());
                        return Uni.createFrom().voidItem();
                    });
        });
    }

    /** A digest a live deployment references is never deleted here: drop the record; one being rebuilt: keep it. */
    private Uni<Void> keepOrForget(String digest, Instant requestedAt) {
        return Panache.withSession(() -> deployments.count("artifactDigest = ?1 and deletedAt is null", digest))
                .chain(live -> live > 0 ? forget(digest, requestedAt) : Uni.createFrom().voidItem());
    }

    /** Drops the record, unless a newer delete of the same digest re-recorded it meanwhile. */
    private Uni<Void> forget(String digest, Instant requestedAt) {
        return Panache.withTransaction(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                        "delete from artifact_deletions where digest = ?1 and requested_at <= ?2")
                .setParameter(1, digest).setParameter(2, requestedAt.atOffset(java.time.ZoneOffset.UTC))
                .executeUpdate())).replaceWithVoid();
    }

    private static Instant instant(Object value) {
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        return java.sql.Timestamp.valueOf(value.toString()).toInstant();
    }

    @Path("/internal/v1/artifacts")
    public interface ArtifactApi {
        @DELETE
        @Path("/{digest}")
        Uni<Response> delete(@PathParam("digest") String digest,
                @QueryParam("unless_uploaded_after") String unlessUploadedAfter,
                @HeaderParam(InternalTokenFilter.HEADER) String internalToken);
    }

}
