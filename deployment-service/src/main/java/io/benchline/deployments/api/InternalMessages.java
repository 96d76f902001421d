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
}
