package io.benchline.builds.storage;

import io.smallrye.config.ConfigMapping;

/** The shared secret sent to other services' {@code /internal/**} endpoints. */
@ConfigMapping(prefix = "benchline.auth")
public interface InternalAuthConfig {
    /** Value of header X-Benchline-Internal-Token (BENCHLINE_AUTH_INTERNAL_TOKEN). */
    String internalToken();
}
