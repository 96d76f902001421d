package io.benchline.deployments;

import java.util.Map;

import static io.benchline.deployments.TestSupport.as;
import static io.benchline.deployments.TestSupport.unique;

/** API keys of a given role, made through POST /v2/api-keys with an admin key. */
final class RoleKeys {
    private RoleKeys() {
    }

    /** A new key of the admin key's organization; returns its secret. */
    static String newKey(String adminKey, String role) {
        return created(adminKey, role).get("secret");
    }

    /** The create answer's id and secret. */
    static Map<String, String> created(String adminKey, String role) {
        var answer = as(adminKey).body(Map.of("name", unique(role + " key"), "role", role)).post("/v2/api-keys")
                .then().statusCode(201).extract().jsonPath();
        return Map.of("id", answer.getString("id"), "secret", answer.getString("secret"));
    }
}
