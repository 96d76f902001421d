package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** Reading members of the server's answers for the human output; absent members never fail. */
final class Fields {
    private Fields() {
    }

    /** A scalar member as text, or {@code fallback} when it is absent, null, blank or not a scalar. */
    static String text(JsonNode node, String field, String fallback) {
        JsonNode value = node.path(field);
        return value.isValueNode() && !value.isNull() && !value.asText().isBlank() ? value.asText() : fallback;
    }

    /** {@code name (key_id)} of an actor ({@code {key_id, name}}), or {@code fallback}. */
    static String actor(JsonNode actor, String fallback) {
        String name = text(actor, "name", null);
        String keyId = text(actor, "key_id", null);
        if (name != null && keyId != null) {
            return name + " (" + keyId + ")";
        }
        return name != null ? name : keyId != null ? keyId : fallback;
    }

    /** The first 10 characters of a commit sha. */
    static String shortSha(String sha) {
        return sha != null && sha.length() > 10 ? sha.substring(0, 10) : sha;
    }
}
