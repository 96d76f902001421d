package io.benchline.artifacts.app;

import io.smallrye.config.ConfigMapping;

import java.util.Optional;

@ConfigMapping(prefix = "benchline.signing")
public interface SigningConfig {
    /**
     * Base64 PKCS#8 Ed25519 private key to sign with. Unset: a key is generated on first start and kept in the
     * database.
     */
    Optional<String> privateKey();
}
