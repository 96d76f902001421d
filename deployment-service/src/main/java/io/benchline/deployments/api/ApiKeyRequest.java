package io.benchline.deployments.api;

import io.benchline.common.auth.Role;

/** Body of POST /v2/api-keys: a name for people to recognize the key by and its role (admin, member, viewer). */
public record ApiKeyRequest(String name, String role) {

    /** The body after {@link RequestValidation#newApiKey}: the name trimmed, the role parsed. */
    record Checked(String name, Role role) {
    }
}
