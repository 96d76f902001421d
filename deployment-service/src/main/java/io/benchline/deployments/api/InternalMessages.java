package io.benchline.deployments.api;

/** Bodies of the /internal/v1 endpoints other services call. */
public final class InternalMessages {
    private InternalMessages() {
    }

    public record IntrospectRequest(String apiKey) {
    }

    public record IntrospectResponse(String orgId, String keyId) {
    }

    public record HookResponse(String hookId, String orgId, String secret) {
    }
}
