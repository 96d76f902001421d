package io.benchline.artifacts.app;

import io.benchline.artifacts.storage.MinioObjectStorage;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Before serving: the bucket exists. Signing keys are per organization, created on an organization's first upload. */
@ApplicationScoped
public class Startup {
    void onStart(@Observes StartupEvent event, MinioObjectStorage storage) {
        storage.ensureBucket();
    }
}
