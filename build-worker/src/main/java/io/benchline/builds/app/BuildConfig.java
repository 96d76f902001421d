package io.benchline.builds.app;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

@ConfigMapping(prefix = "benchline.builds")
public interface BuildConfig {
    /** Builds run at once by this instance (also sets the size of the worker pool that runs them). */
    @WithDefault("2")
    int concurrency();

    /** Whole-build limit: clone, validation, packing and upload. Kafka's poll and ack timeouts must exceed it. */
    @WithDefault("10m")
    Duration timeout();

    /** Largest repository clone on disk (the .git data). */
    @WithDefault("200M")
    MemorySize maxRepositorySize();

    /** Largest archive: the sum of the packed files' sizes. */
    @WithDefault("200M")
    MemorySize maxArchiveSize();

    /** Most files in the archive. */
    @WithDefault("10000")
    int maxFiles();

    /** Log lines per build.logs event. */
    @WithDefault("50")
    int logBatchSize();

    /** URL schemes accepted as clone sources (file is for local stacks and tests). */
    @WithDefault("https,http,ssh,git,file")
    List<String> allowedUrlSchemes();

    /** Directory for clones and archives; defaults to the JVM's temporary directory. */
    Optional<String> workDir();

    /** Name reported in build.started; defaults to host name and process id. */
    Optional<String> workerId();

    /** Longest wait for the broker to acknowledge one event. */
    @WithDefault("2m")
    Duration publishTimeout();

    /** How many times build.completed is sent before the request goes to the dead-letter topic. */
    @WithDefault("5")
    int publishAttempts();
}
