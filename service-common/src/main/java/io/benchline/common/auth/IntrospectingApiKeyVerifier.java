package io.benchline.common.auth;

import io.benchline.common.api.ProblemException;
import io.quarkus.arc.DefaultBean;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies API keys by asking deployment-service, which owns them, and caches answers for
 * {@code benchline.auth.cache-ttl}. deployment-service itself replaces this bean with a database lookup.
 */
@DefaultBean
@ApplicationScoped
public class IntrospectingApiKeyVerifier implements ApiKeyVerifier {
    private static final Logger LOG = Logger.getLogger(IntrospectingApiKeyVerifier.class);
    private final AuthConfig config;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private volatile IntrospectionApi api;

    public IntrospectingApiKeyVerifier(AuthConfig config) {
        this.config = config;
    }

    @Override
    public Uni<Optional<Caller>> verify(String apiKey) {
        String hash = sha256(apiKey);
        Cached cached = cache.get(hash);
        if (cached != null && cached.expiresAt > System.nanoTime()) {
            return Uni.createFrom().item(Optional.of(cached.caller));
        }
        return api().introspect(config.internalToken(), new IntrospectionApi.IntrospectRequest(apiKey))
                // The REST client turns 4xx/5xx answers into WebApplicationException; look at the status either way.
                .onFailure(jakarta.ws.rs.WebApplicationException.class)
                .recoverWithItem(f -> ((jakarta.ws.rs.WebApplicationException) f).getResponse())
                .map(response -> {
                    if (response.getStatus() == 200) {
                        Caller caller = response.readEntity(IntrospectionApi.IntrospectResponse.class).caller();
                        cache.put(hash, new Cached(caller, System.nanoTime() + config.cacheTtl().toNanos()));
                        return Optional.of(caller);
                    }
                    if (response.getStatus() == 401 || response.getStatus() == 404) {
                        return Optional.<Caller>empty();
                    }
                    throw ProblemException.unavailable("cannot verify the API key now (deployment-service answered "
                            + response.getStatus() + ")");
                })
                .onFailure(f -> !(f instanceof ProblemException)).transform(f -> {
                    LOG.warnf("key introspection failed: %s", f.toString());
                    return ProblemException.unavailable("cannot verify the API key now: deployment-service is unreachable");
                });
    }

    private IntrospectionApi api() {
        if (api == null) {
            String url = config.deploymentServiceUrl().orElseThrow(() -> new IllegalStateException(
                    "benchline.auth.deployment-service-url is not set"));
            api = QuarkusRestClientBuilder.newBuilder().baseUri(URI.create(url))
                    .connectTimeout(Duration.ofSeconds(2).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                    .readTimeout(Duration.ofSeconds(5).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                    .build(IntrospectionApi.class);
        }
        return api;
    }

    public static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Cached(Caller caller, long expiresAt) {
    }
}
