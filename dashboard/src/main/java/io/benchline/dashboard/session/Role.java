package io.benchline.dashboard.session;

/**
 * What the signed-in key may do, as the API's roles say: a viewer reads, a member also creates deployments, pins
 * and re-runs, an admin also promotes, rolls back and deletes. It only decides which buttons show; the API decides.
 */
public enum Role {
    VIEWER, MEMBER, ADMIN;

    public boolean member() {
        return this != VIEWER;
    }

    public boolean admin() {
        return this == ADMIN;
    }

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
