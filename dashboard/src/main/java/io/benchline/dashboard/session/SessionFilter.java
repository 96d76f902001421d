package io.benchline.dashboard.session;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Cookie;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.time.Instant;

/** Opens the session cookie of each request; an unreadable or expired cookie is no session. */
public class SessionFilter {
    private final SessionCodec codec;
    private final CurrentSession current;

    public SessionFilter(SessionCodec codec, CurrentSession current) {
        this.codec = codec;
        this.current = current;
    }

    @ServerRequestFilter
    public void open(ContainerRequestContext request) {
        Cookie cookie = request.getCookies().get(Cookies.SESSION);
        if (cookie != null) {
            codec.open(cookie.getValue(), Instant.now()).ifPresent(current::set);
        }
    }
}
