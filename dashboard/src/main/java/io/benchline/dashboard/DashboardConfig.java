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
     * The longest a live page (a procedure's first page of deployments, a rollout) goes without re-reading its API
     * page: the fallback for changes no topic carries and for while Kafka is unreachable. Otherwise a page re-reads
     * when an event on the services' topics names its procedure.
     */
    @WithDefault("15s")
    Duration liveInterval();

    /** The shortest time between two re-reads of one live page, however many events name its procedure. */
    @WithDefault("250ms")
    Duration liveMinInterval();

    /**
     * After a re-read an event caused, one more this much later: an event can reach the dashboard before the
     * service that answers the page has applied it (a pointer move counted by deployment-service).
     */
    @WithDefault("1s")
    Duration liveSettle();

    /** How long one live stream stays open; the browser's EventSource then opens a new one (and signs in again). */
    @WithDefault("10m")
    Duration liveLifetime();
}
