package io.benchline.gateway;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Mounts one Vert.x reverse proxy per upstream on Quarkus's own router, ahead of Quarkus's handlers (also of its
 * body-size check, so that the gateway's limit and 413 apply). Only the two health endpoints are left to Quarkus.
 * Streams (the API's log stream, the dashboard's relay of it, the agents' long polls) need nothing of their own: every
 * answer is piped as it comes, and {@code response-timeout} bounds the upstream's silence, not the answer's length.
 */
@ApplicationScoped
public class GatewayRouter {
    static final Set<String> OWN_PATHS = Set.of("/q/health/ready", "/q/health/live");

    private HttpClient client;
    private final Map<Upstream, HttpProxy> proxies = new EnumMap<>(Upstream.class);
    private int maxUriLength;
    private long maxHeaderSize;

    void mount(@Observes Router router, Vertx vertx, GatewayConfig config) {
        maxUriLength = config.maxUriLength();
        maxHeaderSize = config.maxHeaderSize().asLongValue();
        client = vertx.httpClientBuilder()
                .with(new HttpClientOptions()
                        .setKeepAlive(true)
                        .setConnectTimeout((int) config.connectTimeout().toMillis())
                        .setDecompressionSupported(false))
                .with(new PoolOptions().setHttp1MaxSize(config.poolSize()))
                .withConnectHandler(UpstreamConnections::opened)
                .build();
        for (Upstream upstream : Upstream.values()) {
            BodyLimit bodyLimit = new BodyLimit(config.maxBodySize(upstream));
            Origins origins = new Origins(config.urls(upstream), config.responseTimeout().toMillis());
            HttpProxy proxy = HttpProxy.reverseProxy(new ProxyOptions().setSupportWebSocket(false), client)
                    .origin(context -> origins.request(context.client())
                            .onSuccess(UpstreamConnections::sending).map(request -> ResetGuard.guard(vertx, request)))
                    // First added, outermost: sees every failure of the ones after it.
                    .addInterceptor(new ProblemAnswers(bodyLimit, upstream.servesPages()))
                    .addInterceptor(bodyLimit)
                    .addInterceptor(new ForwardedHeaders());
            proxies.put(upstream, proxy);
        }
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1).handler(this::handle).failureHandler(this::failed);
        // A path Vert.x cannot decode (a broken percent escape) fails before any route matches: no failure handler
        // sees it, only the router's error handler for its status.
        router.errorHandler(400, this::failed);
    }

    void close(@Observes ShutdownEvent event) {
        if (client != null) {
            client.close();
        }
    }

    private void handle(RoutingContext context) {
        HttpServerRequest request = context.request();
        String path = request.path();
        if (OWN_PATHS.contains(path)) {
            context.next();
            return;
        }
        if (request.uri().length() > maxUriLength) {
            Problems.send(context.response(), 414, "uri-too-long", "URI Too Long", "request targets (path and query)"
                    + " are limited to " + maxUriLength + " characters; this one has " + request.uri().length());
            return;
        }
        long headerBytes = headerBytes(request);
        if (headerBytes > maxHeaderSize) {
            Problems.send(context.response(), 431, "headers-too-large", "Request Header Fields Too Large",
                    "request headers are limited to " + maxHeaderSize + " bytes; these have " + headerBytes);
            return;
        }
        if (!validTarget(request.uri())) {
            Problems.send(context.response(), 400, "invalid-request", "Bad request",
                    "the request target is not a valid URI (a broken percent escape?)");
            return;
        }
        Optional<Upstream> upstream = Routes.route(path);
        if (upstream.isEmpty()) {
            Problems.send(context.response(), 404, "not-found", "Not found", "no Benchline API at this path");
            return;
        }
        // Hold the body until the upstream connection is there; the proxy resumes it.
        request.pause();
        proxies.get(upstream.get()).handle(request);
    }

    /** The size of the header lines as sent ({@code name: value\r\n}). */
    static long headerBytes(HttpServerRequest request) {
        long bytes = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            bytes += header.getKey().length() + header.getValue().length() + 4;
        }
        return bytes;
    }

    /** What Quarkus checks when its own URI validation is on (see {@link GatewayMain}); no service sees anything else. */
    static boolean validTarget(String uri) {
        try {
            new URI(uri);
            return true;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** Vert.x Web itself fails some requests before any handler runs (a broken percent escape: 400). */
    private void failed(RoutingContext context) {
        if (context.response().headWritten()) {
            context.response().reset();
            return;
        }
        int status = context.statusCode() >= 400 ? context.statusCode() : 500;
        if (status < 500) {
            Problems.send(context.response(), status, "invalid-request", "Bad request", "the request cannot be routed");
        } else {
            Problems.send(context.response(), status, "internal-error", "Internal error", "the gateway failed");
        }
    }
}
