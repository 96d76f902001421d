package io.benchline.gateway;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.RequestOptions;

import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The instances of one upstream service: each request goes to the next one in turn. An instance that cannot be
 * connected to (refused, or no connection within {@code connect-timeout}) is skipped for that request, which goes to
 * the next one, whatever its method: nothing of it was sent. Only when no instance can be reached is it a 502.
 */
final class Origins {
    private record Target(String host, int port, boolean tls) {
    }

    private final List<Target> targets;
    private final long idleTimeout;
    private final AtomicInteger next = new AtomicInteger();

    Origins(List<URI> urls, long idleTimeoutMillis) {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("an upstream needs at least one URL");
        }
        this.targets = urls.stream().map(url -> {
            boolean tls = "https".equalsIgnoreCase(url.getScheme());
            return new Target(url.getHost(), url.getPort() >= 0 ? url.getPort() : tls ? 443 : 80, tls);
        }).toList();
        this.idleTimeout = idleTimeoutMillis;
    }

    int size() {
        return targets.size();
    }

    /** A request on a connection to the next instance that can be reached. */
    Future<HttpClientRequest> request(HttpClient client) {
        return attempt(client, Math.floorMod(next.getAndIncrement(), targets.size()), targets.size());
    }

    private Future<HttpClientRequest> attempt(HttpClient client, int index, int left) {
        Target target = targets.get(index);
        return client.request(new RequestOptions().setHost(target.host()).setPort(target.port()).setSsl(target.tls())
                        .setIdleTimeout(idleTimeout))
                .recover(failure -> left > 1 ? attempt(client, (index + 1) % targets.size(), left - 1)
                        : Future.failedFuture(failure));
    }
}
