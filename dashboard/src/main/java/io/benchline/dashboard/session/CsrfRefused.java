package io.benchline.dashboard.session;

/** A state-changing form came without the CSRF token of the session (or of the sign-in form) it claims. */
public class CsrfRefused extends RuntimeException {
    public CsrfRefused() {
        super("the form's security token does not match this sign-in; reload the page and try again");
    }
}
