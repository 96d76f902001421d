package io.benchline.gateway;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * Where each route goes and how patiently; every key can be set by environment variable (BENCHLINE_GATEWAY_…). An
 * upstream URL key takes a comma-separated list, one URL per instance of the service.
 */
@ConfigMapping(prefix = "benchline.gateway")
public interface GatewayConfig {

    /** Base URLs of webhook-service's instances, comma-separated ({@code /webhooks/}). */
    @WithDefault("http://127.0.0.1:8081")
    List<URI> webhookUrl();

    /** Base URLs of deployment-service's instances ({@code /v2/procedures}, {@code /v2/deployments}, {@code /v2/api-keys}). */
    @WithDefault("http://127.0.0.1:8082")
    List<URI> deploymentUrl();

    /** Base URLs of artifact-store's instances ({@code /v2/keys}). */
    @WithDefault("http://127.0.0.1:8084")
    List<URI> artifactUrl();

    /** Base URLs of station-dispatcher's instances ({@code /v2/stations}, {@code /v2/rollouts}, {@code /agent/}). */
    @WithDefault("http://127.0.0.1:8085")
    List<URI> dispatcherUrl();

    /**
     * Base URLs of the dashboard's instances ({@code /} exactly, {@code /sign-in}, {@code /sign-out},
     * {@code /procedures}, {@code /deployments}, {@code /rollouts}, {@code /stations}, {@code /api-keys},
     * {@code /static/}).
     */
    @WithDefault("http://127.0.0.1:8086")
    List<URI> dashboardUrl();

    /**
     * Largest request body passed on to webhook-service, and the most any route takes (413 beyond it, also for chunked
     * bodies); webhooks may be up to 25 MB.
     */
    @WithDefault("25M")
    MemorySize maxBodySize();

    /**
     * Largest request body passed on to deployment-service. Each route's limit is at most its service's own
     * ({@code quarkus.http.limits.max-body-size}), so that the gateway refuses a body that is too large: a service
     * that cut one off mid-stream closed the connection, and the client got a 502 instead of the 413.
     */
    @WithDefault("256K")
    MemorySize deploymentMaxBodySize();

    /** Largest request body passed on to artifact-store (its public routes take no body). */
    @WithDefault("1M")
    MemorySize artifactMaxBodySize();

    /** Largest request body passed on to station-dispatcher (small JSON documents; its own limit is the same 1M). */
    @WithDefault("1M")
    MemorySize dispatcherMaxBodySize();

    /** Largest request body passed on to the dashboard (small forms; its own limit is the same 256K). */
    @WithDefault("256K")
    MemorySize dashboardMaxBodySize();

    /**
     * Longest request target (path and query) passed on, in characters; 414 problem beyond it. Below the services' own
     * request-line limit (Quarkus's {@code max-initial-line-length}, 4096 bytes with method and version), which
     * Vert.x answers with a bare 414.
     */
    @WithDefault("4000")
    int maxUriLength();

    /**
     * Most bytes of request header lines passed on; 431 problem beyond it. Below the services' own limit (Quarkus's
     * {@code max-header-size}, 20K), leaving room for the {@code X-Forwarded-*} headers the gateway adds.
     */
    @WithDefault("16K")
    MemorySize maxHeaderSize();

    /**
     * How long an upstream may stay silent (no response bytes) before the gateway answers 504 or ends the stream.
     * Long enough for the agent's long poll ({@code wait=55}) and quiet SSE streams.
     */
    @WithDefault("120s")
    Duration responseTimeout();

    /** How long to wait for a TCP connection to an upstream before answering 502. */
    @WithDefault("5s")
    Duration connectTimeout();

    /** Pooled keep-alive connections per upstream. */
    @WithDefault("128")
    int poolSize();

    /** The body limit of the routes of {@code upstream}, never above {@link #maxBodySize()}. */
    default long maxBodySize(Upstream upstream) {
        long own = switch (upstream) {
            case WEBHOOK -> maxBodySize().asLongValue();
            case DEPLOYMENT -> deploymentMaxBodySize().asLongValue();
            case ARTIFACT -> artifactMaxBodySize().asLongValue();
            case DISPATCHER -> dispatcherMaxBodySize().asLongValue();
            case DASHBOARD -> dashboardMaxBodySize().asLongValue();
        };
        return Math.min(own, maxBodySize().asLongValue());
    }

    /** Base URLs of the instances of {@code upstream}; requests go to each in turn. */
    default List<URI> urls(Upstream upstream) {
        return switch (upstream) {
            case WEBHOOK -> webhookUrl();
            case DEPLOYMENT -> deploymentUrl();
            case ARTIFACT -> artifactUrl();
            case DISPATCHER -> dispatcherUrl();
            case DASHBOARD -> dashboardUrl();
        };
    }
}
