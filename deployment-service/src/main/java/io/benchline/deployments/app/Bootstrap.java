package io.benchline.deployments.app;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/** On start, gives a fresh installation its first organization and API key (benchline.bootstrap.*). */
@ApplicationScoped
public class Bootstrap {
    private static final Logger LOG = Logger.getLogger(Bootstrap.class);

    void onStart(@Observes StartupEvent event, DeploymentServiceConfig config, ApiKeys apiKeys) throws Throwable {
        if (config.bootstrap().apiKey().isEmpty() || config.bootstrap().apiKey().get().isBlank()) {
            return;
        }
        String orgName = config.bootstrap().orgName();
        var caller = VertxContextSupport.subscribeAndAwait(
                () -> apiKeys.ensureKey(orgName, config.bootstrap().apiKey().get()));
        LOG.infof("bootstrap API key is valid for organization %s (%s)", orgName, caller.orgId());
    }
}
