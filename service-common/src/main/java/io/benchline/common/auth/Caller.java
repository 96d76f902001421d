package io.benchline.common.auth;

/**
 * Who made a request: the organization an API key belongs to, the key (id and name, recorded as the actor of what
 * the request changes) and its role.
 */
public record Caller(String orgId, String keyId, String keyName, Role role) {
    public Caller {
        if (role == null) {
            role = Role.VIEWER;
        }
    }

    /** The actor recorded in history and events. */
    public Actor actor() {
        return new Actor(keyId, keyName);
    }
}
