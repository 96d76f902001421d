package io.benchline.deployments.app;

import java.util.Set;

/** The value sets of deployment fields, as the API and the events spell them. */
public final class Environments {
    public static final String PRODUCTION = "production";
    public static final String PREVIEW = "preview";
    public static final String DEVELOPMENT = "development";
    public static final Set<String> ALL = Set.of(PRODUCTION, PREVIEW, DEVELOPMENT);
    public static final String TRIGGER_AUTO = "auto";
    public static final String TRIGGER_MANUAL = "manual";

    private Environments() {
    }
}
