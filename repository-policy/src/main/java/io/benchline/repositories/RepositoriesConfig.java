package io.benchline.repositories;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.List;
import java.util.Optional;

/**
 * The clone URL policy's configuration (prefix {@code benchline.repositories}), the same keys in deployment-service
 * and build-worker: set them alike in both.
 */
@ConfigMapping(prefix = CloneUrlPolicy.PREFIX)
public interface RepositoriesConfig {
    /** Network schemes clone URLs may use: https, http, ssh, git (scp-like {@code git@host:path} is ssh). */
    @WithDefault("https,ssh")
    List<String> allowedSchemes();

    /** Whether clone URLs may reach loopback, private, link-local and unique-local addresses and internal names. */
    @WithDefault("false")
    boolean allowPrivateHosts();

    /** Whether {@code file://} URLs and plain paths are accepted (local stacks and tests). */
    @WithDefault("false")
    boolean allowFile();

    /** When set, the only hosts clone URLs may name: exact names or {@code *.example.com} (its subdomains). */
    Optional<List<String>> allowedHosts();
}
