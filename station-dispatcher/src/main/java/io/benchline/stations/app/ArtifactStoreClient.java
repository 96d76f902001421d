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

    @Path("/internal/v1/artifacts")
    public interface ArtifactApi {
        @GET
        @Path("/{digest}/download-url")
        Uni<Response> downloadUrl(@PathParam("digest") String digest,
                @HeaderParam(InternalTokenFilter.HEADER) String internalToken);
    }
}
