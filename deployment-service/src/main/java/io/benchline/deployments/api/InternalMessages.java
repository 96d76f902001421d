package io.benchline.deployments.api;

/**
 * Bodies of the /internal/v1 endpoints other services call. The introspection answer is service-common's
 * {@link io.benchline.common.auth.IntrospectionApi.IntrospectResponse}, the type the callers read.
 */
public final class InternalMessages {
    private InternalMessages() {
    }

    public record IntrospectRequest(String apiKey) {
    }

    public record HookResponse(String hookId, String orgId, String secret) {
    }

    /** A procedure's clear repository credentials, for build-worker only; {@code toString} shows no secret. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record CredentialsResponse(String procedureId, String type, String username, String token,
            String privateKey, java.time.Instant updatedAt) {
        @Override
        public String toString() {
            return "CredentialsResponse[" + procedureId + ", type=" + type + "]";
        }
    }
}
