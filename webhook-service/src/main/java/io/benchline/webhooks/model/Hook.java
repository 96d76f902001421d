package io.benchline.webhooks.model;

/** A Benchline webhook as deployment-service describes it: which organization it belongs to and its secret. */
public record Hook(String hookId, String orgId, String secret) {
    @Override
    public String toString() {
        // Never print the secret into logs.
        return "Hook[hookId=" + hookId + ", orgId=" + orgId + "]";
    }
}
