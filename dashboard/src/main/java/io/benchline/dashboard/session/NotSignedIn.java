package io.benchline.dashboard.session;

/** A page needs a sign-in and the request has none (no cookie, an expired or forged one, or a revoked key). */
public class NotSignedIn extends RuntimeException {
    public NotSignedIn(String why) {
        super(why);
    }
}
