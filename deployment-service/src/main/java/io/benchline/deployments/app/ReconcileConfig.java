package io.benchline.deployments.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** The reconciler for missed pushes (prefix {@code benchline.reconcile}); each key also by environment variable. */
@ConfigMapping(prefix = "benchline.reconcile")
public interface ReconcileConfig {
    /** Whether this instance runs the scheduled passes at all (BENCHLINE_RECONCILE_ENABLED); per procedure it is opt-in. */
    @WithDefault("true")
    boolean enabled();

    /** How often the job looks for procedures whose interval is over (read by its {@code @Scheduled}). */
    @WithDefault("10s")
    Duration tick();

    /** Most procedures one look claims; the rest wait for the next look. */
    @WithDefault("20")
    int batchSize();

    /** Remotes listed at once (threads of the reconciler's own worker pool; JGit blocks). */
    @WithDefault("4")
    int concurrency();

    /** Longest one remote may take to answer its ls-remote; then the pass records a timeout for it. */
    @WithDefault("20s")
    Duration timeout();

    /** Interval of a procedure that enables reconciling without giving one. */
    @WithDefault("5m")
    Duration defaultInterval();

    /** Shortest interval a procedure may ask for. */
    @WithDefault("1m")
    Duration minInterval();

    /** Longest interval a procedure may ask for. */
    @WithDefault("24h")
    Duration maxInterval();

    /** A repository with more branches than this is not reconciled (the pass records why). */
    @WithDefault("1000")
    int maxBranches();

    /** Most deployments one pass creates for one procedure; further changed heads wait for the next pass. */
    @WithDefault("10")
    int maxBuildsPerPass();
}
