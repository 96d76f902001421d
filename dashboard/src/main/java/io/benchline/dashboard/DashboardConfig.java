package io.benchline.dashboard;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.net.URI;
import java.time.Duration;

/** The dashboard's settings ({@code benchline.dashboard.*}; env {@code BENCHLINE_DASHBOARD_API_URL} etc.). */
@ConfigMapping(prefix = "benchline.dashboard")
public interface DashboardConfig {

    /** Base URL of the public REST API (the gateway); every figure on a page comes from there. */
    @WithDefault("http://127.0.0.1:8080")
    URI apiUrl();

    /**
     * Secret the session cookie is encrypted with (AES-GCM) and CSRF tokens are derived from; at least 32
     * characters, the same on every instance. Required: the dashboard does not start without it.
     */
    String sessionSecret();

    /** How long a sign-in lasts; the cookie carries its own expiry, checked on every request. */
    @WithDefault("8h")
    Duration sessionLifetime();

    /** Marks the session cookie Secure (sent over HTTPS only): on wherever the dashboard is served over HTTPS. */
    @WithDefault("false")
    boolean secureCookie();

    /** Longest wait for a connection to the API. */
    @WithDefault("5s")
    Duration connectTimeout();

    /** Longest wait for the API's answer (for a log stream: for its headers). */
    @WithDefault("20s")
    Duration requestTimeout();

    /** Deployments on one page (one API page per view). */
    @WithDefault("50")
    int pageSize();

    /** The largest file of an artifact the file viewer shows. */
    @WithDefault("1048576")
    int maxViewedFileBytes();

    /**
     * How often a live page (a procedure's first page of deployments, a rollout) re-reads the API for its open
     * stream; each open page costs one API call per interval.
     */
    @WithDefault("2s")
    Duration liveInterval();

    /** How long one live stream stays open; the browser's EventSource then opens a new one (and signs in again). */
    @WithDefault("10m")
    Duration liveLifetime();
}
