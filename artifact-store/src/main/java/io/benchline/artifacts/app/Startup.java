package io.benchline.artifacts.app;

import io.benchline.artifacts.storage.MinioObjectStorage;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** Before serving: the bucket exists and the signing key is loaded (created on first start). */
@ApplicationScoped
public class Startup {
    private static final Logger LOG = Logger.getLogger(Startup.class);

    void onStart(@Observes StartupEvent event, MinioObjectStorage storage, SigningKeys keys) throws Throwable {
        storage.ensureBucket();
        SigningKeys.ActiveKey key = VertxContextSupport.subscribeAndAwait(keys::ensureActive);
        LOG.infof("signing with key %s", key.keyId());
    }
}
