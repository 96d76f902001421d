package io.benchline.deployments.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** deployment-service settings; each key can be set by environment variable (BENCHLINE_BOOTSTRAP_API_KEY, …). */
@ConfigMapping(prefix = "benchline")
public interface DeploymentServiceConfig {
    /** The public base URL (the gateway); webhook URLs shown to users are built on it. */
    @WithDefault("http://localhost:8080")
    String publicUrl();

    Bootstrap bootstrap();

    Api api();

    Consumer consumer();

    Deployments deployments();

    Services services();

    interface Bootstrap {
        /** Organization created on start when {@code api-key} is set. */
        @WithDefault("default")
        String orgName();

        /** An API key to make valid for that organization on start (how a fresh install gets its first key). */
        Optional<String> apiKey();
    }

    interface Api {
        /** Page size of GET /v2/deployments when the request gives no limit. */
        @WithDefault("20")
        int defaultPageSize();

        /** Largest page GET /v2/deployments serves. */
        @WithDefault("100")
        int maxPageSize();

        /** Most log lines one GET /v2/deployments/{id}/logs returns (page on with ?after=). */
        @WithDefault("5000")
        int maxLogLines();

        /** How often a live log stream (text/event-stream) looks for new lines while the build runs. */
        @WithDefault("500ms")
        java.time.Duration logStreamPoll();

        /** A comment line on a quiet live log stream this often, so proxies keep it open. */
        @WithDefault("15s")
        java.time.Duration logStreamHeartbeat();

        /** Longest life of one live log stream; the client reconnects with Last-Event-ID and goes on. */
        @WithDefault("30m")
        java.time.Duration logStreamMaxDuration();

        /** Most runs GET /v2/deployments/{id}/runs returns (newest first). */
        @WithDefault("500")
        int maxRuns();
    }

    /** Internal base URLs of the peers this service calls (shared key names, see ARCHITECTURE.md). */
    interface Services {
        /** artifact-store (BENCHLINE_SERVICES_ARTIFACT_URL): the contents of ready deployments are read there. */
        @WithDefault("http://localhost:8084")
        String artifactUrl();

        /** Longest wait for artifact-store to connect and answer (a streamed file may take longer to arrive). */
        @WithDefault("10s")
        Duration artifactTimeout();

        /** station-dispatcher (BENCHLINE_SERVICES_DISPATCHER_URL): a delete asks it whether stations still use the deployment. */
        @WithDefault("http://localhost:8085")
        String dispatcherUrl();

        /** Longest wait for station-dispatcher's delete check. */
        @WithDefault("10s")
        Duration dispatcherTimeout();
    }

    interface Deployments {
        /**
         * A deployment still pending this long after it was created is failed by {@link StuckBuildSweeper}: no build
         * worker took it (none running, or its build.requested was dead-lettered). Set it above the longest queue
         * you expect in front of your workers.
         */
        @WithDefault("30m")
        Duration pendingTimeout();

        /**
         * A building deployment whose worker reported nothing (no log line) for this long is failed: the worker
         * crashed or was scaled away and no other took the build over.
         */
        @WithDefault("30m")
        Duration buildingTimeout();

        /** How often the stuck-build sweeper looks (read by its {@code @Scheduled}). */
        @WithDefault("30s")
        Duration stuckSweepInterval();

        /** A delete tombstoned this long ago and not finished (a crash between its steps) is settled by the sweeper. */
        @WithDefault("60s")
        Duration deleteStuckAfter();

        /** How often the sweeper looks for such deletes (read by its {@code @Scheduled}). */
        @WithDefault("30s")
        Duration deleteSweepInterval();

        /** How often artifact bytes that deletes freed are retried (read by its {@code @Scheduled}). */
        @WithDefault("60s")
        Duration artifactSweepInterval();

        /** Longest a build.completed is held for build.logs lines it counts that are not stored yet; then it is final anyway. */
        @WithDefault("10s")
        Duration logWait();

        /** How often the sweeper looks for held builds whose log wait is over (read by its {@code @Scheduled}). */
        @WithDefault("1s")
        Duration logSweepInterval();

        /** Most held builds one sweeper transaction finalizes. */
        @WithDefault("100")
        int logSweepBatchSize();
    }

    interface Consumer {
        /** Build log lines longer than this are cut (with a marker), so one runaway line cannot bloat the table. */
        @WithDefault("8192")
        int maxLogLineLength();

        /** Attempts for an event whose handling fails transiently (database down) before it goes to the dead-letter topic. */
        @WithDefault("30")
        int maxAttempts();

        /** First wait between attempts; doubles up to {@code max-backoff}. */
        @WithDefault("200ms")
        Duration initialBackoff();

        @WithDefault("10s")
        Duration maxBackoff();
    }
}
