package io.benchline.deployments.app;

import io.smallrye.config.ConfigMapping;

import java.util.Optional;

/** The key repository credentials are encrypted with (prefix {@code benchline.secrets}). */
@ConfigMapping(prefix = "benchline.secrets")
public interface SecretsConfig {
    /**
     * AES-256 key, 32 random bytes in base64 (BENCHLINE_SECRETS_KEY; {@code openssl rand -base64 32}). Required: the
     * service does not start without it. The dev and test profiles set fixed keys of their own.
     */
    Optional<String> key();
}
