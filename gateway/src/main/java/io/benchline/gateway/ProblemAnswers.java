package io.benchline.gateway;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * The outermost interceptor: turns a failed exchange with an upstream into problem JSON (the proxy alone answers an
 * empty 502), gives an upstream's error answer without a problem body one, and keeps the upstream's hop-by-hop
 * headers off the client connection. An upstream that serves pages (the dashboard) keeps its own error pages: only
 * an error answer of it without a {@code Content-Type} (a bare one of its HTTP layer) becomes problem JSON.
 */
final class ProblemAnswers implements ProxyInterceptor {
    private static final Logger LOG = Logger.getLogger(ProblemAnswers.class);
    private static final List<String> HOP_BY_HOP = List.of("Connection", "Keep-Alive", "Proxy-Connection",
            "Proxy-Authenticate", "TE", "Trailer", "Upgrade");
    private static final String RESENT = "benchline.resent";
    /** What an error answer tells the client besides its body. */
    private static final List<String> KEPT_ON_ERRORS = List.of("Allow", "Retry-After", "WWW-Authenticate");

    private final BodyLimit bodyLimit;
    private final boolean ownErrorPages;

    ProblemAnswers(BodyLimit bodyLimit) {
        this(bodyLimit, false);
    }

    ProblemAnswers(BodyLimit bodyLimit, boolean ownErrorPages) {
        this.bodyLimit = bodyLimit;
        this.ownErrorPages = ownErrorPages;
    }

    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
        return context.sendRequest()
                .recover(failure -> replayable(context, failure) ? sendAgain(context) : Future.failedFuture(failure))
                .recover(failure -> Future.succeededFuture(answer(context, failure)));
    }

    /**
     * A pooled connection the upstream closed right after its last answer (without {@code Connection: close}) fails
     * the next request sent on it. A GET, HEAD or OPTIONS without a body is then sent once more, on another
     * connection: the upstream never saw it, and it has nothing to stream twice. Anything else stays a 502.
     */
    private static boolean replayable(ProxyContext context, Throwable failure) {
        HttpServerRequest request = context.request().proxiedRequest();
        HttpMethod method = request.method();
        return failure instanceof HttpClosedException && context.get(RESENT, Boolean.class) == null
                && (method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS)
                && noBody(request.getHeader("Content-Length")) && request.getHeader("Transfer-Encoding") == null
                && !request.response().headWritten();
    }

    private static boolean noBody(String contentLength) {
        return contentLength == null || contentLength.trim().equals("0");
    }

    private static Future<ProxyResponse> sendAgain(ProxyContext context) {
        context.set(RESENT, true);
        LOG.debugf("%s %s: the upstream connection was closed before the request; sending it again",
                context.request().getMethod(), context.request().proxiedRequest().path());
        context.request().setBody(null); // the first attempt consumed the (empty) body stream
        return context.sendRequest();
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
        ProxyResponse response = context.response();
        int status = response.getStatusCode();
        String contentType = response.headers().get("Content-Type");
        if (status >= 400 && !isProblem(contentType) && !(ownErrorPages && contentType != null)) {
            problemInstead(context, response, status);
        }
        MultiMap headers = response.headers();
        HOP_BY_HOP.forEach(headers::remove);
        return context.sendResponse();
    }

    /**
     * Every error a public client sees is problem JSON, also one an upstream's HTTP layer made without a body (a
     * chunked request body over the service's own limit is cut off with a bare 413 by Quarkus).
     */
    private static void problemInstead(ProxyContext context, ProxyResponse response, int status) {
        MultiMap kept = MultiMap.caseInsensitiveMultiMap();
        for (String name : KEPT_ON_ERRORS) {
            kept.add(name, response.headers().getAll(name));
        }
        LOG.warnf("%s %s: upstream answered %d without a problem body", context.request().getMethod(),
                context.request().proxiedRequest().path(), status);
        response.release();
        response.setStatusCode(status).putHeader("Content-Type", Problems.MEDIA_TYPE)
                .setBody(Body.body(Problems.body(status, Problems.kind(status), Problems.title(status),
                        "the service answered " + status + " (" + Problems.title(status) + ")")));
        response.headers().addAll(kept);
    }

    private static boolean isProblem(String contentType) {
        return contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith(Problems.MEDIA_TYPE);
    }
}
