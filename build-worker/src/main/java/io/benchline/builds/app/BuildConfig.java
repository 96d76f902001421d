package io.benchline.builds.app;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Limits and tuning of one build-worker instance (prefix {@code benchline.build}). */
@ConfigMapping(prefix = "benchline.build")
public interface BuildConfig {
    /** Builds run at once by this instance; keep equal to smallrye.messaging.worker.builds.max-concurrency. */
    @WithDefault("2")
    int concurrency();

    /** Whole-build limit: clone, validation, packing and upload. */
    @WithDefault("10m")
    Duration timeout();

    /** Limit for cloning the repository (the build's overall timeout still applies). */
    @WithDefault("3m")
    Duration cloneTimeout();

    /** Largest clone on disk (the .git object data), checked while the clone runs. */
    @WithDefault("200M")
    MemorySize maxRepositorySize();

    /** Largest source: the sum of the sizes of the commit's files that get packed. */
    @WithDefault("100M")
    MemorySize maxSourceSize();

    /**
     * Largest upload (the zip of a working tree the CLI sent, source kind {@code upload}), checked against what
     * artifact-store says and again while the zip is read.
     */
    @WithDefault("95M")
    MemorySize maxUploadSize();

    /** Most files in the archive. */
    @WithDefault("10000")
    int maxFiles();

    /** Log lines per build.logs event. */
    @WithDefault("50")
    int logBatchSize();

    /** Pending log lines are published at least this often. */
    @WithDefault("500ms")
    Duration logFlushInterval();

    /** Directory for clones and archives; defaults to the JVM's temporary directory. */
    Optional<String> workDir();

    /**
     * The Python version ({@code 3.11}) of a TofuPilot-format procedure that declares none (no .python-version, no
     * requires-python in uv.lock or pyproject.toml); the build log names it. Unset: such a build fails, saying so.
     */
    Optional<String> defaultPython();

    /**
     * The package index wheels are downloaded from (PEP 503/691 simple API): the locked packages of a TofuPilot-format
     * procedure are vendored into its artifact from here.
     */
    @WithDefault("https://pypi.org/simple")
    String packageIndex();

    /** The stations' platform, for platform wheels: linux-x86_64, linux-aarch64, windows-x64 or macos-arm64. */
    @WithDefault("linux-x86_64")
    String stationPlatform();

    /** Largest single wheel. */
    @WithDefault("200M")
    MemorySize maxWheelSize();

    /** Largest sum of one procedure's wheels. */
    @WithDefault("500M")
    MemorySize maxPackagesSize();

    /** Longest wait for one answer of the package index. */
    @WithDefault("2m")
    Duration packageTimeout();

    /** Name reported in build.started; defaults to host name and process id. */
    Optional<String> workerId();

    /** Longest wait for the broker to acknowledge one event. */
    @WithDefault("30s")
    Duration publishTimeout();

    /** How many times build.completed is sent before the request is given up (dead-letter topic). */
    @WithDefault("5")
    int publishAttempts();

    /** Longest wait for one exchange with artifact-store: the archive's upload, or reading an upload's zip. */
    @WithDefault("2m")
    Duration uploadTimeout();

    /**
     * Attempts of one call to artifact-store (the archive's upload, reading an upload) on connection errors, 429 and
     * 5xx answers, 0.5 s apart and doubling up to 2 s: 200 span about 6½ minutes (the build's {@link #timeout()} still
     * applies), so neither a restart of artifact-store nor a database outage of a few minutes fails the builds that
     * were uploading (three attempts failed every build caught by a restart in the fault trials, thirty those caught
     * by a two-minute PostgreSQL outage), and a waiting build uploads within 2 s of artifact-store's return.
     */
    @WithDefault("200")
    int uploadAttempts();
}
