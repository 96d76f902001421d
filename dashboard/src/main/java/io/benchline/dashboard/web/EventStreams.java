package io.benchline.dashboard.web;

import io.benchline.dashboard.session.Cookies;
import io.benchline.dashboard.session.Session;
import io.benchline.dashboard.session.SessionCodec;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.util.Optional;

/** What the dashboard's event streams (live parts, the log relay) share: the SSE headers and the session. */
final class EventStreams {
    private EventStreams() {
    }

    /** Sets the SSE response headers and opens the request's session cookie; empty when it has none or a bad one. */
    static Optional<Session> start(RoutingContext rc, SessionCodec codec) {
        rc.response().putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no");
        Cookie cookie = rc.request().getCookie(Cookies.SESSION);
        return cookie == null ? Optional.empty() : codec.open(cookie.getValue(), Instant.now());
    }
}
