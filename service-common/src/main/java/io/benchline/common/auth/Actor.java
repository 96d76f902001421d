package io.benchline.common.auth;

/** Who did something: an API key's id and name, or {@link #SYSTEM} for what the platform did by itself. */
public record Actor(String keyId, String name) {
    public static final Actor SYSTEM = new Actor(null, "benchline");
}
