package io.benchline.common.api;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import java.util.Optional;

/**
 * Problem bodies for the errors Quarkus's HTTP layer makes before Quarkus REST (and {@link ProblemMapper}) sees a
 * request, which it answers bare: a declared body over {@code quarkus.http.limits.max-body-size} (413), a request
 * Vert.x cannot route (a broken percent escape: 400), and any failure that escapes to Vert.x (500).
 *
 * <p>A body over the limit is read and dropped after the answer instead of closing the connection at once (as
 * Quarkus does): the gateway is still sending it, and a closed connection became a 502 there in place of the 413.
 * Past {@link #DRAIN_AT_MOST} the connection is closed. A body without Content-Length (chunked) that grows past the
 * limit is still cut by Quarkus with a bare 413; the gateway gives that one its problem body.
 *
 * <p>An error answered before the request's body was read (a 415, 406 or 401 decided from the headers) says
 * {@code Connection: close}: the connection was closed after such answers anyway, and a client that did not know
 * (the gateway's connection pool) sent its next request into the closing connection and got a 502 (seen in
 * BadInputFuzzIT).
 */
@ApplicationScoped
public class FrameworkErrors {
    private static final Logger LOG = Logger.getLogger(FrameworkErrors.class);
    /** Route order is minus the priority: this runs before the HTTP layer's upload limit (order -2). */
    static final int PRIORITY = 100;
    /** The largest refused body read to its end (the gateway passes at most 25 MB); larger ones close the connection. */
    static final long DRAIN_AT_MOST = 32L * 1024 * 1024;
    /** Set on a request whose refused body is read to its end, so that its connection stays open. */
    private static final String DRAINING = "benchline.draining-body";

    void limits(@Observes Filters filters) {
        Optional<MemorySize> max = ConfigProvider.getConfig()
                .getOptionalValue("quarkus.http.limits.max-body-size", MemorySize.class);
        max.ifPresent(limit -> filters.register(rc -> limitBody(rc, limit.asLongValue()), PRIORITY));
    }

    void failures(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(FrameworkErrors::closeAfterUnreadBodies);
        router.route().order(Integer.MIN_VALUE).failureHandler(FrameworkErrors::failed);
        // A path Vert.x cannot decode fails before any route matches: only the router's error handler sees it.
        router.errorHandler(400, FrameworkErrors::failed);
    }

    private static void closeAfterUnreadBodies(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        if (hasBody(request)) {
            rc.addHeadersEndHandler(v -> {
                if (rc.response().getStatusCode() >= 400 && !request.isEnded() && rc.get(DRAINING) == null) {
                    rc.response().putHeader(HttpHeaders.CONNECTION, "close");
                }
            });
        }
        rc.next();
    }

    private static boolean hasBody(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        return length != null ? !length.trim().equals("0") : request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
    }

    static void limitBody(RoutingContext rc, long max) {
        String length = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            rc.next();
            return;
        }
        long bytes;
        try {
            bytes = Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            send(rc, 400, "Content-Length is not a number", true);
            return;
        }
        if (bytes > max) {
            boolean close = bytes > DRAIN_AT_MOST || rc.request().getHeader(HttpHeaders.EXPECT) != null;
            if (!close) {
                rc.put(DRAINING, true);
            }
            send(rc, 413, "request bodies here are limited to " + max + " bytes; this one has " + bytes, close);
            if (!close) {
                drain(rc.request());
            }
            return;
        }
        rc.next();
    }

    private static void drain(HttpServerRequest request) {
        long[] seen = {0};
        request.handler(chunk -> {
            seen[0] += chunk.length();
            if (seen[0] > DRAIN_AT_MOST) {
                request.connection().close();
            }
        });
        request.exceptionHandler(e -> { });
        request.resume();
    }

    private static void failed(RoutingContext rc) {
        HttpServerResponse response = rc.response();
        if (response.ended() || response.closed() || response.headWritten()) {
            // Too late for a body of ours: Quarkus's own handler decides (closing the connection here made the
            // gateway's next request on it fail with a 502).
            rc.next();
            return;
        }
        int status = rc.statusCode() >= 400 ? rc.statusCode() : 500;
        if (status >= 500) {
            LOG.errorf(rc.failure(), "unhandled error on %s", rc.request().path());
            send(rc, status, "the server could not complete the request; it has been logged", false);
        } else {
            send(rc, status, "the request cannot be handled: " + ProblemMapper.title(status), false);
        }
    }

    private static void send(RoutingContext rc, int status, String detail, boolean close) {
        String instance = rc.request().path();
        JsonObject problem = new JsonObject()
                .put("type", Problem.TYPE_BASE + ProblemMapper.kind(status))
                .put("title", ProblemMapper.title(status))
                .put("status", status)
                .put("detail", detail);
        if (instance != null && Text.problem(instance, false) == null) {
            problem.put("instance", instance);
        }
        HttpServerResponse response = rc.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE);
        if (close) {
            response.putHeader(HttpHeaders.CONNECTION, "close");
        }
        response.end(problem.toBuffer());
    }
}
