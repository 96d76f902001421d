package io.benchline.gateway;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * The outermost interceptor: turns a failed exchange with an upstream into problem JSON (the proxy alone answers an
 * empty 502), and keeps the upstream's hop-by-hop headers off the client connection.
 */
final class ProblemAnswers implements ProxyInterceptor {
    private static final Logger LOG = Logger.getLogger(ProblemAnswers.class);
    private static final List<String> HOP_BY_HOP = List.of("Connection", "Keep-Alive", "Proxy-Connection",
            "Proxy-Authenticate", "TE", "Trailer", "Upgrade");

    private final BodyLimit bodyLimit;

    ProblemAnswers(BodyLimit bodyLimit) {
        this.bodyLimit = bodyLimit;
    }

    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
        return context.sendRequest().recover(failure -> Future.succeededFuture(answer(context, failure)));
    }

    private ProxyResponse answer(ProxyContext context, Throwable failure) {
        String path = context.request().proxiedRequest().path();
        if (Boolean.TRUE.equals(context.get(BodyLimit.EXCEEDED, Boolean.class))) {
            return bodyLimit.tooLarge(context);
        }
        if (failure instanceof TimeoutException) {
            LOG.warnf("%s %s: upstream did not answer in time", context.request().getMethod(), path);
            return Problems.answer(context, 504, "gateway-timeout", "Gateway timeout",
                    "the service behind " + path + " did not answer in time");
        }
        LOG.warnf("%s %s: upstream failed: %s", context.request().getMethod(), path, failure.toString());
        return Problems.answer(context, 502, "bad-gateway", "Bad gateway",
                "the service behind " + path + " is not reachable or failed to answer");
    }

    @Override
    public Future<Void> handleProxyResponse(ProxyContext context) {
        MultiMap headers = context.response().headers();
        HOP_BY_HOP.forEach(headers::remove);
        return context.sendResponse();
    }
}
