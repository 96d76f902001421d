package io.benchline.stations.app;

import io.benchline.common.auth.AuthConfig;
import io.benchline.common.auth.InternalTokenFilter;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Presigned download URLs from artifact-store. Agents poll every second or so, so a URL is cached
 * per digest until shortly before it expires.
 */
@ApplicationScoped
public class ArtifactStoreClient {
    private static final Logger LOG = Logger.getLogger(ArtifactStoreClient.class);
    private final ArtifactApi api;
    private final KeysApi keysApi;
    private final AuthConfig auth;
    private final DispatcherConfig config;
    private final Map<String, DownloadUrl> cache = new ConcurrentHashMap<>();

    public ArtifactStoreClient(ServicesConfig services, DispatcherConfig config, AuthConfig auth) {
        this.auth = auth;
        this.config = config;
        this.api = QuarkusRestClientBuilder.newBuilder().baseUri(URI.create(services.artifactUrl()))
                .connectTimeout(config.peerTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(config.peerTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .build(ArtifactApi.class);
        this.keysApi = QuarkusRestClientBuilder.newBuilder().baseUri(URI.create(services.artifactUrl()))
                .connectTimeout(config.peerTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(config.peerTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .build(KeysApi.class);
    }

    /** The URL, or empty when artifact-store cannot give one now (the agent retries on its next poll). */
    public Uni<Optional<String>> downloadUrl(String digest) {
        DownloadUrl cached = cache.get(digest);
        if (cached != null && cached.expiresAt() != null
                && cached.expiresAt().isAfter(Instant.now().plus(config.downloadUrlRenewBefore()))) {
            return Uni.createFrom().item(Optional.of(cached.url()));
        }
        return api.downloadUrl(digest, auth.internalToken())
                .map(response -> {
                    try (response) {
                        if (response.getStatus() != 200) {
                            LOG.warnf("artifact-store answered %d for the download URL of %s", response.getStatus(), digest);
                            return Optional.<String>empty();
                        }
                        DownloadUrl url = response.readEntity(DownloadUrl.class);
                        if (url == null || url.url() == null) {
                            return Optional.<String>empty();
                        }
                        cache.put(digest, url);
                        return Optional.of(url.url());
                    }
                })
                .onFailure().recoverWithItem(f -> {
                    LOG.warnf("artifact-store unreachable for the download URL of %s: %s", digest, f.toString());
                    return Optional.empty();
                });
    }

    public record DownloadUrl(String url, Instant expiresAt) {
    }

    /** An organization's key list as artifact-store answered it (JSON passed through), or null body: unchanged. */
    public record TrustedKeys(String body, String etag) {
    }

    /**
     * {@code GET /internal/v1/organizations/{org}/keys} with the agent's {@code If-None-Match}; 503 when
     * artifact-store cannot answer (the agent keeps the keys it has and asks again).
     */
    public Uni<TrustedKeys> keys(String organizationId, String ifNoneMatch) {
        return keysApi.keys(organizationId, auth.internalToken(), ifNoneMatch)
                .onFailure().transform(f -> io.benchline.common.api.ProblemException.unavailable(
                        "artifact-store cannot list the signing keys now: " + f.getMessage()))
                .map(response -> {
                    try (response) {
                        String etag = response.getEntityTag() == null ? null : response.getEntityTag().getValue();
                        if (response.getStatus() == 304) {
                            return new TrustedKeys(null, etag);
                        }
                        if (response.getStatus() != 200) {
                            throw io.benchline.common.api.ProblemException.unavailable(
                                    "artifact-store answered " + response.getStatus() + " for the signing keys");
                        }
                        return new TrustedKeys(response.readEntity(String.class), etag);
                    }
                });
    }

    @Path("/internal/v1/artifacts")
    public interface ArtifactApi {
        @GET
        @Path("/{digest}/download-url")
        Uni<Response> downloadUrl(@PathParam("digest") String digest,
                @HeaderParam(InternalTokenFilter.HEADER) String internalToken);
    }

    @Path("/internal/v1/organizations")
    public interface KeysApi {
        @GET
        @Path("/{organization_id}/keys")
        Uni<Response> keys(@PathParam("organization_id") String organizationId,
                @HeaderParam(InternalTokenFilter.HEADER) String internalToken,
                @HeaderParam("If-None-Match") String ifNoneMatch);
    }
}
