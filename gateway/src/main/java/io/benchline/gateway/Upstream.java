package io.benchline.gateway;

/** The services behind the gateway, each configured by one {@code benchline.gateway.<key>} base URL. */
public enum Upstream {
    WEBHOOK("webhook-service", "webhook-url"),
    DEPLOYMENT("deployment-service", "deployment-url"),
    ARTIFACT("artifact-store", "artifact-url"),
    DISPATCHER("station-dispatcher", "dispatcher-url"),
    /** The web dashboard: HTML pages that call the public API through the gateway like any client. */
    DASHBOARD("dashboard", "dashboard-url");

    private final String service;
    private final String configKey;

    Upstream(String service, String configKey) {
        this.service = service;
        this.configKey = configKey;
    }

    /** The module (and compose service) name. */
    public String service() {
        return service;
    }

    /** The key under {@code benchline.gateway}, e.g. {@code webhook-url}. */
    public String configKey() {
        return configKey;
    }

    /** Whether its answers are pages for a browser, which keep their own error pages (see {@link ProblemAnswers}). */
    public boolean servesPages() {
        return this == DASHBOARD;
    }

    /** The environment variable that sets this upstream, e.g. {@code BENCHLINE_GATEWAY_WEBHOOK_URL}. */
    public String envVar() {
        return "BENCHLINE_GATEWAY_" + configKey.replace('-', '_').toUpperCase(java.util.Locale.ROOT);
    }
}
