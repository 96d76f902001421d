package io.benchline.gateway;

import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpConnection;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each pooled upstream connection last carried, so that a connection closed under a request can be explained in
 * the log (DEBUG): how many answers it had given, the last one and how long before the close.
 */
final class UpstreamConnections {
    private static final Logger LOG = Logger.getLogger(UpstreamConnections.class);
    private static final Map<HttpConnection, Use> USES = new ConcurrentHashMap<>();

    private UpstreamConnections() {
    }

    static void opened(HttpConnection connection) {
        if (!LOG.isDebugEnabled()) {
            return; // nothing is tracked, so requests pay for nothing (sending finds no entry)
        }
        USES.put(connection, new Use());
        connection.closeHandler(v -> {
            Use use = USES.remove(connection);
            if (use != null) {
                LOG.debugf("upstream connection %s -> %s closed after %d answers; in flight: %s; last: %s %d ms before",
                        connection.localAddress(), connection.remoteAddress(), use.answers,
                        use.inFlight == null ? "nothing" : use.inFlight.getMethod() + " " + use.inFlight.getURI(), use.last,
                        (System.nanoTime() - use.lastAt) / 1_000_000);
            }
        });
    }

    static void sending(HttpClientRequest request) {
        Use use = USES.get(request.connection());
        if (use == null) {
            return;
        }
        use.inFlight = request;
        request.response().onSuccess(response -> response.end().onComplete(done -> {
            String what = request.getMethod() + " " + request.getURI();
            use.answers++;
            use.inFlight = null;
            use.last = what + " -> " + response.statusCode() + (done.failed() ? " (body failed)" : "")
                    + (response.getHeader("Connection") != null ? " Connection: " + response.getHeader("Connection") : "");
            use.lastAt = System.nanoTime();
        }));
    }

    private static final class Use {
        volatile int answers;
        volatile HttpClientRequest inFlight;
        volatile String last = "none";
        volatile long lastAt = System.nanoTime();
    }
}
