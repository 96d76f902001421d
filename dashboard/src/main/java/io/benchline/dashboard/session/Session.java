package io.benchline.dashboard.session;

import java.time.Instant;

/**
 * A sign-in, carried whole in the encrypted session cookie (nothing is kept on the server, so any instance serves
 * it): a random id (what the CSRF token is bound to), the API key, its role as found at sign-in, and the expiry.
 */
public record Session(String id, String apiKey, Role role, Instant expiresAt) {
}
