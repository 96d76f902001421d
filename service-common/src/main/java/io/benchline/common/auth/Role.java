package io.benchline.common.auth;

import java.util.Locale;
import java.util.Optional;

/**
 * What an API key may do. Each role includes the rights of the ones below it: {@code viewer} reads, {@code member}
 * also creates deployments, pins, unpins, links and runs, {@code admin} also promotes, rolls back, resumes, deletes
 * and manages API keys.
 */
public enum Role {
    VIEWER, MEMBER, ADMIN;

    /** True when this role has at least the rights of {@code needed}. */
    public boolean includes(Role needed) {
        return compareTo(needed) >= 0;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role a wire name stands for; empty for anything else. */
    public static Optional<Role> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        for (Role role : values()) {
            if (role.wire().equals(value)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
