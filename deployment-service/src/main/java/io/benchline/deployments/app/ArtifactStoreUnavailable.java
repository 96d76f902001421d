package io.benchline.deployments.app;

import io.benchline.common.api.DomainError;

/** artifact-store could not be reached or failed; the caller may retry (503). */
public class ArtifactStoreUnavailable extends DomainError {
    public ArtifactStoreUnavailable(String detail, Throwable cause) {
        super(detail);
        if (cause != null) {
            initCause(cause);
        }
    }

    @Override
    public Category category() {
        return Category.UNAVAILABLE;
    }

    @Override
    public String kind() {
        return "artifact-store-unavailable";
    }
}
