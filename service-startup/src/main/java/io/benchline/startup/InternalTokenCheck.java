package io.benchline.startup;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.smallrye.config.SmallRyeConfig;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Refuses to start a service outside the dev and test profiles while {@code benchline.auth.internal-token} is
 * missing, blank, a known placeholder or too short to be a secret: anyone who can reach a service could otherwise
 * call its {@code /internal/**} endpoints with the token from the repository. Runs on startup before the Kafka
 * channels start and before the HTTP server opens; Flyway's migrate-at-start has run by then.
 */
@Singleton
public class InternalTokenCheck {
    public static final String KEY = "benchline.auth.internal-token";
    public static final String ENV = "BENCHLINE_AUTH_INTERNAL_TOKEN";
    public static final int MIN_LENGTH = 16;
    /** Profiles that may run with the default token from application.properties or the tests' configuration. */
    static final List<String> EXEMPT_PROFILES = List.of("dev", "test");
    /** Values that were shipped in this repository's configuration at one time or another. */
    static final List<String> PLACEHOLDER_PARTS = List.of("change-me", "changeme", "change_me", "changeit");
    static final List<String> PLACEHOLDERS = List.of("dev-internal-token");
    private static final Logger LOG = Logger.getLogger(InternalTokenCheck.class);

    void check(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        SmallRyeConfig config = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class);
        if (config.getProfiles().stream().anyMatch(EXEMPT_PROFILES::contains)) {
            return;
        }
        Optional<String> problem = problem(config.getOptionalValue(KEY, String.class));
        if (problem.isPresent()) {
            LOG.error(problem.get());
            // Quarkus prints a ConfigurationException's message without a stack trace, stops and exits with 1.
            throw new ConfigurationException("refusing to start: " + KEY + " (" + ENV + ") is not usable (see the"
                    + " line above)", Set.of(KEY));
        }
    }

    /** Why the service must not start with this token (one line, never the secret itself), or empty when it may. */
    public static Optional<String> problem(Optional<String> token) {
        String advice = ": set " + ENV + " to a random secret of at least " + MIN_LENGTH + " characters, the same"
                + " for every service (for example `openssl rand -hex 24`); refusing to start";
        if (token.isEmpty() || token.get().isBlank()) {
            return Optional.of(KEY + " is not set" + advice);
        }
        String value = token.get().strip().toLowerCase(Locale.ROOT);
        if (PLACEHOLDERS.contains(value) || PLACEHOLDER_PARTS.stream().anyMatch(value::contains)) {
            // A placeholder is public anyway, so naming it helps find where it came from.
            return Optional.of(KEY + " is the placeholder \"" + token.get().strip() + "\"" + advice);
        }
        if (token.get().length() < MIN_LENGTH) {
            return Optional.of(KEY + " is only " + token.get().length() + " characters long" + advice);
        }
        return Optional.empty();
    }
}
