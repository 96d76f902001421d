package io.benchline.gateway;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;

import java.util.List;
import java.util.Locale;

/**
 * The gateway is the edge: the services trust forwarded headers for client address, Location headers and webhook
 * URLs, so whatever a client sent under those names is dropped and the gateway's own view is sent instead.
 */
final class ForwardedHeaders implements ProxyInterceptor {

    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
        ProxyRequest request = context.request();
        HttpServerRequest client = request.proxiedRequest();
        MultiMap headers = request.headers();
        List<String> forged = headers.names().stream()
                .filter(name -> name.toLowerCase(Locale.ROOT).startsWith("x-forwarded-")).toList();
        forged.forEach(headers::remove);
        headers.remove("Forwarded");

        String scheme = client.scheme() == null ? "http" : client.scheme();
        headers.set("X-Forwarded-For", client.remoteAddress().hostAddress());
        headers.set("X-Forwarded-Proto", scheme);
        HostAndPort authority = client.authority();
        if (authority != null) {
            int port = authority.port() >= 0 ? authority.port() : scheme.equals("https") ? 443 : 80;
            headers.set("X-Forwarded-Host", authority.port() >= 0 ? authority.host() + ":" + port : authority.host());
            headers.set("X-Forwarded-Port", Integer.toString(port));
        }
        // Send the path that was routed, also when the client used an absolute request target.
        request.setURI(client.path() + (client.query() == null ? "" : "?" + client.query()));
        return context.sendRequest();
    }
}
