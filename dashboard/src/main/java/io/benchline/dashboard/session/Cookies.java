package io.benchline.dashboard.session;

import io.benchline.dashboard.DashboardConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;

/** The dashboard's two cookies as {@code Set-Cookie} values: HttpOnly, SameSite=Strict, Secure when configured. */
@ApplicationScoped
public class Cookies {
    /** The sealed {@link Session}. */
    public static final String SESSION = "bl_session";
    /** The nonce the sign-in form's CSRF token is bound to (there is no session yet). */
    public static final String SIGN_IN = "bl_sign_in";
    private static final Duration SIGN_IN_FORM_LIFETIME = Duration.ofMinutes(30);

    private final DashboardConfig config;
    private final SessionCodec codec;

    public Cookies(DashboardConfig config, SessionCodec codec) {
        this.config = config;
        this.codec = codec;
    }

    public String session(Session session) {
        return cookie(SESSION, codec.seal(session), config.sessionLifetime().toSeconds());
    }

    public String signInNonce(String nonce) {
        return cookie(SIGN_IN, nonce, SIGN_IN_FORM_LIFETIME.toSeconds());
    }

    /** A cookie the browser drops at once (sign-out, a session the API no longer accepts). */
    public String cleared(String name) {
        return cookie(name, "", 0);
    }

    private String cookie(String name, String value, long maxAgeSeconds) {
        return name + "=" + value + "; Path=/; Max-Age=" + maxAgeSeconds + "; HttpOnly; SameSite=Strict"
                + (config.secureCookie() ? "; Secure" : "");
    }
}
