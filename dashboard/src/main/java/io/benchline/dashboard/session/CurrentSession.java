package io.benchline.dashboard.session;

import jakarta.enterprise.context.RequestScoped;

import java.util.Optional;

/** The session of the current request, opened from its cookie by {@link SessionFilter}. */
@RequestScoped
public class CurrentSession {
    static final String CSRF_PURPOSE = "session";
    private final SessionCodec codec;
    private Session session;

    public CurrentSession(SessionCodec codec) {
        this.codec = codec;
    }

    void set(Session session) {
        this.session = session;
    }

    public Optional<Session> get() {
        return Optional.ofNullable(session);
    }

    /** The session; {@link NotSignedIn} (a redirect to the sign-in page) without one. */
    public Session require() {
        if (session == null) {
            throw new NotSignedIn("sign in with an API key first");
        }
        return session;
    }

    /** The token every state-changing form of this session carries. */
    public String csrfToken() {
        return codec.csrfToken(require());
    }

    /** The session, if a POST's form carries its CSRF token; {@link CsrfRefused} otherwise. */
    public Session requirePost(String csrf) {
        Session s = require();
        if (!codec.csrfMatches(CSRF_PURPOSE, s.id(), csrf)) {
            throw new CsrfRefused();
        }
        return s;
    }
}
