package io.benchline.common.auth;

import io.benchline.common.api.DomainError;

/** The caller's key has a role below the one an action needs (403). */
public class MissingRole extends DomainError {
    public MissingRole(Role has, Role needed, String action) {
        super(action + " needs an API key with role " + needed.wire() + " or higher; this key is " + has.wire());
    }

    @Override
    public Category category() {
        return Category.FORBIDDEN;
    }

    @Override
    public String kind() {
        return "missing-role";
    }
}
