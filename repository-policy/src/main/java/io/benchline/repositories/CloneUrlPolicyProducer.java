package io.benchline.repositories;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.List;

/** The policy both services inject, from {@link RepositoriesConfig}; a wrong setting stops the service at start. */
@ApplicationScoped
public class CloneUrlPolicyProducer {
    @Produces
    @Singleton
    @Startup
    CloneUrlPolicy policy(RepositoriesConfig config) {
        return new CloneUrlPolicy(config.allowedSchemes(), config.allowPrivateHosts(), config.allowFile(),
                config.allowedHosts().orElse(List.of()));
    }
}
