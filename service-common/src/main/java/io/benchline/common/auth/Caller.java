package io.benchline.common.auth;

/** Who made a request: the organization an API key belongs to, and the key. */
public record Caller(String orgId, String keyId) {
}
