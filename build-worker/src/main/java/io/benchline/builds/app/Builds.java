package io.benchline.builds.app;

import io.benchline.builds.packages.LockFile;
import io.benchline.builds.packages.StationEnvironment;
import io.benchline.builds.packages.WheelVendor;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.benchline.builds.archive.ArchiveWriter;
import io.benchline.builds.archive.PackedArchive;
import io.benchline.builds.procedure.ProcedureSpec;
import io.benchline.builds.procedure.ProcedureValidator;
import io.benchline.builds.source.GitSource;
import io.benchline.builds.source.RepositoryCredentials;
import io.benchline.builds.source.RepositoryCredentialsClient;
import io.benchline.builds.source.SourceFile;
import io.benchline.builds.source.SourceTree;
import io.benchline.builds.source.UploadSource;
import io.benchline.builds.storage.ArtifactStoreClient;
import io.benchline.events.ArtifactRef;
import io.benchline.events.BuildCompleted;
import io.benchline.events.BuildLogs;
import io.benchline.events.BuildRequested;
import io.benchline.events.BuildStarted;
import io.benchline.events.Commit;
import io.benchline.events.EventCodec;
import io.benchline.events.EventEnvelope;
import io.benchline.events.EventTypes;
import io.benchline.events.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.jgit.errors.LargeObjectException;
import org.eclipse.jgit.util.FileUtils;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The build use case: announce, read the source (clone a commit or unpack an upload), validate, pack, upload,
 * report. Every problem becomes a {@code failed} build.completed with a readable reason and error log lines; only a
 * build.completed the broker never acknowledges escapes, as an exception, so the request is not acknowledged as done.
 */
@ApplicationScoped
public class Builds {
    private static final Logger LOG = Logger.getLogger(Builds.class);
    static final String SOURCE = "/build-worker";
    private static final int MAX_PROCEDURE_YAML_BYTES = 1024 * 1024;
    static final String GIT = "git";
    static final String UPLOAD = "upload";

    private final BuildConfig config;
    private final GitSource git;
    private final ProcedureValidator validator;
    private final ArchiveWriter archiver;
    private final ArtifactStoreClient store;
    private final RepositoryCredentialsClient credentials;
    private final UploadSource uploads;
    private final BuildEvents events;
    private final String workerId;
    private final ScheduledExecutorService logFlusher;
    private final MeterRegistry metrics;
    private final Tracer tracer;

    public Builds(BuildConfig config, GitSource git, ProcedureValidator validator, ArchiveWriter archiver,
            ArtifactStoreClient store, RepositoryCredentialsClient credentials, UploadSource uploads,
            BuildEvents events, MeterRegistry metrics, Tracer tracer) {
        this.metrics = metrics;
        this.tracer = tracer;
        this.credentials = credentials;
        this.uploads = uploads;
        this.config = config;
        this.git = git;
        this.validator = validator;
        this.archiver = archiver;
        this.store = store;
        this.events = events;
        this.workerId = config.workerId().orElseGet(Builds::defaultWorkerId);
        this.logFlusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "build-log-flusher");
            t.setDaemon(true);
            return t;
        });
    }

    @PreDestroy
    void stop() {
        logFlusher.shutdownNow();
    }

    /** What a build learned before it ended, reported on build.completed either way. */
    private static final class Progress {
        Commit commit;
        ProcedureSpec spec;
        ArtifactRef artifact;
    }

    /**
     * Runs one build and returns the build.completed that the broker acknowledged. The build is a span of the
     * request's trace (the consumer's), and every event it publishes continues it, the log batches that a flusher
     * thread sends included.
     */
    public BuildCompleted run(BuildRequested request) {
        Span span = tracer.spanBuilder("build").setSpanKind(SpanKind.INTERNAL).startSpan();
        span.setAttribute("benchline.deployment.id", request.deploymentId());
        span.setAttribute("benchline.procedure.id", request.procedureId());
        try (Scope ignored = span.makeCurrent()) {
            BuildCompleted completed = build(request);
            span.setAttribute("benchline.build.outcome", completed.outcome());
            if (completed.failureReason() != null) {
                span.setStatus(StatusCode.ERROR, completed.failureReason());
            }
            return completed;
        } catch (RuntimeException e) {
            span.setStatus(StatusCode.ERROR, e.toString());
            throw e;
        } finally {
            span.end();
        }
    }

    private BuildCompleted build(BuildRequested request) {
        String id = request.deploymentId();
        Instant startedAt = now();
        CompletableFuture<Void> started = send(Topics.BUILD_STARTED, EventTypes.BUILD_STARTED, id,
                new BuildStarted(id, workerId, startedAt));
        LOG.infof("build %s started (procedure %s, %s)", id, request.procedureId(), request.environment());

        Progress progress = new Progress();
        String failureReason = null;
        Path directory = null;
        Context trace = Context.current();
        BuildLog log = new BuildLog(id, config.logBatchSize(), lines -> {
            try (Scope ignored = trace.makeCurrent()) {
                return send(Topics.BUILD_LOGS, EventTypes.BUILD_LOGS, id, new BuildLogs(id, lines));
            }
        })
                .flushEvery(logFlusher, config.logFlushInterval());
        try (log) {
            try {
                log.info("build " + id + " of " + request.procedureName() + " (" + request.environment()
                        + ", sequence " + request.sequence() + ") started on " + workerId);
                Deadline deadline = Deadline.forBuild(config.timeout());
                directory = workDirectory(id);
                execute(request, directory, deadline, log, progress);
                log.info("build ready: " + progress.artifact.digest());
            } catch (BuildFailure failure) {
                failureReason = failure.getMessage();
                log.error("build failed: " + failureReason);
            } catch (RuntimeException | LinkageError | StackOverflowError e) {
                // A bug or an exhausted resource must still end the build as failed, never as a silent crash.
                LOG.errorf(e, "build %s failed unexpectedly", id);
                failureReason = "internal error in build-worker: " + e;
                log.error("build failed: " + failureReason);
            } finally {
                delete(directory);
            }
        }
        long logLines = awaitPublished(id, started, log);

        BuildCompleted completed = new BuildCompleted(id,
                failureReason == null ? BuildCompleted.READY : BuildCompleted.FAILED,
                failureReason, startedAt, now(), progress.commit,
                progress.spec == null ? null : progress.spec.runtimeVersion(),
                progress.spec == null ? null : progress.spec.platform(),
                progress.spec == null ? null : progress.spec.language(),
                progress.spec == null ? null : progress.spec.entryPoint(),
                failureReason == null ? progress.artifact : null,
                logLines);
        publishCompleted(completed);
        Timer.builder("benchline.builds").description("Builds run by this worker, by outcome")
                .tag("outcome", completed.outcome()).register(metrics)
                .record(Duration.between(startedAt, completed.endedAt()));
        LOG.infof("build %s %s%s", id, completed.outcome(), failureReason == null ? "" : ": " + failureReason);
        return completed;
    }

    private void execute(BuildRequested request, Path directory, Deadline deadline, BuildLog log,
            Progress progress) {
        PackedArchive archive;
        try (SourceTree tree = open(request, directory, deadline, log, progress)) {
            progress.commit = tree.commit();
            tree.skipped().forEach(s -> log.warn("not packed: " + s));
            long bytes = tree.files().stream().mapToLong(SourceFile::size).sum();
            log.info(tree.files().size() + " files, " + bytes + " bytes");

            ProcedureValidator.Result result = validator.validate(procedureYaml(tree), p -> tree.file(p).isPresent(),
                    p -> smallText(tree, p), config.defaultPython());
            result.warnings().forEach(log::warn);
            if (!result.valid()) {
                result.problems().forEach(p -> log.error(ProcedureValidator.FILE + ": " + p));
                throw new BuildFailure(result.failureReason());
            }
            ProcedureSpec spec = result.spec();
            progress.spec = spec;
            if (ProcedureSpec.TOFUPILOT.equals(spec.format())) {
                log.info("procedure '" + spec.name() + "' (TofuPilot format): " + spec.language() + " "
                        + spec.runtimeVersion() + " (from " + spec.runtimeSource() + "), platform " + spec.platform()
                        + (spec.requirements() == null ? ", no lock file" : ", packages locked in " + spec.requirements()));
            } else {
                log.info("procedure '" + spec.name() + "': " + spec.language() + " " + spec.runtimeVersion()
                        + ", entry point " + spec.entryPoint() + ", platform " + spec.platform()
                        + (spec.requirements() == null ? ", no requirements file"
                        : ", requirements " + spec.requirements()));
            }
            deadline.check();
            List<WheelVendor.Wheel> wheels = List.of();
            if (ProcedureSpec.TOFUPILOT.equals(spec.format()) && spec.requirements() != null) {
                String lockFile = spec.requirements();
                LockFile.Selection locked = LockFile.read(lockFile, smallText(tree, lockFile)
                        .orElseThrow(() -> new BuildFailure(lockFile + " cannot be read (larger than 1 MiB?)")),
                        StationEnvironment.of(config.stationPlatform(), spec.runtimeVersion()));
                WheelVendor.Vendored vendored = new WheelVendor(new WheelVendor.Settings(config.packageIndex(),
                        config.stationPlatform(), config.maxWheelSize().asLongValue(),
                        config.maxPackagesSize().asLongValue(), config.packageTimeout()))
                        .vendor(locked, spec.runtimeVersion(), directory.resolve("wheels"), deadline, log);
                wheels = vendored.wheels();
                spec = new ProcedureSpec(spec.name(), spec.language(), spec.runtimeVersion(), spec.entryPoint(),
                        vendored.platform(), spec.requirements(), spec.format(), spec.runtimeSource());
                progress.spec = spec;
                log.info(wheels.size() + " wheels vendored; platform " + spec.platform());
            }
            archive = archiver.pack(tree, spec, wheels, directory.resolve("archive.zip"), deadline);
            log.info("packed " + archive.files() + " files into " + archive.sizeBytes() + " bytes, " + archive.digest());
        }
        deadline.check();
        log.info("uploading to artifact-store");
        ArtifactRef artifact = store.upload(archive, request.orgId(), request.procedureId(), deadline, log);
        progress.artifact = artifact;
        log.info("stored " + artifact.digest() + " (" + artifact.sizeBytes() + " bytes), signed with "
                + artifact.keyId());
    }

    /** The files to build: a clone at the requested commit, or an unpacked upload; the rest is the same for both. */
    private SourceTree open(BuildRequested request, Path directory, Deadline deadline, BuildLog log,
            Progress progress) {
        BuildRequested.Source source = request.source();
        if (source == null) {
            throw new BuildFailure("the build request has no source");
        }
        if (GIT.equals(source.kind())) {
            return fromGit(request, directory, deadline, log);
        }
        if (UPLOAD.equals(source.kind())) {
            return fromUpload(request, directory, deadline, log, progress);
        }
        throw new BuildFailure(source.kind() == null ? "the build request's source names no kind (git or upload)"
                : "source kind '" + source.kind() + "' is not supported by build-worker (git or upload)");
    }

    private SourceTree fromGit(BuildRequested request, Path directory, Deadline deadline, BuildLog log) {
        BuildRequested.Source source = request.source();
        boolean bySha = source.commitSha() != null && !source.commitSha().isBlank();
        git.admit(source.cloneUrl());
        RepositoryCredentials repositoryCredentials = credentialsFor(request, deadline, log);
        log.info("cloning " + GitSource.redact(source.cloneUrl()) + " at "
                + (bySha ? "commit " + source.commitSha() : "the head of branch " + source.branch()));
        SourceTree tree = git.fetch(source.cloneUrl(), source.commitSha(), source.branch(),
                directory.resolve("repository.git"), deadline, repositoryCredentials);
        Commit commit = tree.commit();
        log.info("commit " + commit.sha() + " by " + commit.author() + ": " + firstLine(commit.message()));
        return tree;
    }

    /** The zip of a working tree the CLI uploaded; its commit is known from request and record before it is read. */
    private SourceTree fromUpload(BuildRequested request, Path directory, Deadline deadline, BuildLog log,
            Progress progress) {
        BuildRequested.Source source = request.source();
        UploadSource.Upload upload = uploads.describe(source.uploadKey(), request.orgId(), deadline, log);
        progress.commit = UploadSource.commit(upload, source.commitSha());
        log.info("reading upload " + upload.id() + " (" + upload.sizeBytes() + " bytes)");
        SourceTree tree = uploads.fetch(upload, source.commitSha(), directory, deadline, log);
        Commit commit = tree.commit();
        log.info("upload " + upload.id() + " has the sha256 the CLI announced (" + upload.sha256() + "); "
                + (commit.sha() == null ? "a working tree outside git"
                : "a working tree at commit " + commit.sha()
                + (commit.author() == null ? "" : " by " + commit.author())
                + (commit.message() == null ? "" : ": " + firstLine(commit.message()))));
        return tree;
    }

    /**
     * The repository credentials the request refers to, fetched from deployment-service only now, after the clone
     * URL passed the policy; null when the request refers to none, or they were removed since.
     */
    private RepositoryCredentials credentialsFor(BuildRequested request, Deadline deadline, BuildLog log) {
        String ref = request.source().credentialsRef();
        if (ref == null || ref.isBlank()) {
            return null;
        }
        Optional<RepositoryCredentials> fetched = credentials.fetch(ref, request.deploymentId(), deadline, log);
        if (fetched.isEmpty()) {
            log.warn("the procedure's repository credentials were removed after the build was requested; "
                    + "cloning without credentials");
            return null;
        }
        log.info("using the procedure's repository credentials (" + fetched.get().type().replace('_', ' ') + ")");
        return fetched.get();
    }

    /** A small text file of the commit (runtime pins, pyproject.toml, locks), empty when absent or over 1 MiB. */
    private static Optional<String> smallText(SourceTree tree, String path) {
        Optional<SourceFile> file = tree.file(path);
        if (file.isEmpty() || file.get().size() > MAX_PROCEDURE_YAML_BYTES) {
            return Optional.empty();
        }
        try {
            return Optional.of(new String(tree.read(file.get(), MAX_PROCEDURE_YAML_BYTES),
                    java.nio.charset.StandardCharsets.UTF_8));
        } catch (LargeObjectException | IOException e) {
            return Optional.empty();
        }
    }

    private static byte[] procedureYaml(SourceTree tree) {
        Optional<SourceFile> file = tree.file(ProcedureValidator.FILE);
        if (file.isEmpty()) {
            return null;
        }
        if (file.get().size() > MAX_PROCEDURE_YAML_BYTES) {
            throw new BuildFailure(ProcedureValidator.FILE + " is larger than 1 MiB");
        }
        try {
            return tree.read(file.get(), MAX_PROCEDURE_YAML_BYTES);
        } catch (LargeObjectException e) {
            throw new BuildFailure(ProcedureValidator.FILE + " is larger than 1 MiB");
        } catch (IOException e) {
            throw new BuildFailure("cannot read " + ProcedureValidator.FILE + ": " + e.getMessage(), e);
        }
    }

    /** Sends build.completed (one envelope, so retries share an event id) until the broker acknowledges it. */
    private void publishCompleted(BuildCompleted completed) {
        String id = completed.deploymentId();
        EventEnvelope envelope = EventCodec.envelope(EventTypes.BUILD_COMPLETED, SOURCE, id, completed);
        int attempts = Math.max(1, config.publishAttempts());
        Exception last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                events.publish(Topics.BUILD_COMPLETED, id, envelope).toCompletableFuture()
                        .get(config.publishTimeout().toMillis(), TimeUnit.MILLISECONDS);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while publishing build.completed for " + id, e);
            } catch (Exception e) {
                last = e;
                LOG.warnf("build.completed for %s not acknowledged (attempt %d of %d): %s", id, attempt, attempts,
                        e.toString());
                sleep(Math.min(10_000L, 500L << Math.min(attempt, 5)));
            }
        }
        throw new IllegalStateException("build.completed for " + id + " was not acknowledged after " + attempts
                + " attempts", last);
    }

    private CompletableFuture<Void> send(String topic, String type, String deploymentId, Object data) {
        try {
            EventEnvelope envelope = EventCodec.envelope(type, SOURCE, deploymentId, data);
            return events.publish(topic, deploymentId, envelope).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * build.started and the logs go out before build.completed, so consumers can see them before the final state.
     * Returns the lines in acknowledged build.logs batches: exactly what build.completed reports as log_line_count,
     * so deployment-service knows how many lines to wait for (a batch the broker refused is not waited for).
     */
    private long awaitPublished(String id, CompletableFuture<Void> started, BuildLog log) {
        long until = System.nanoTime() + config.publishTimeout().toNanos();
        try {
            started.get(config.publishTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warnf("build %s: build.started was not acknowledged: %s", id, e.toString());
        }
        return log.awaitPublished(Duration.ofNanos(Math.max(0, until - System.nanoTime())));
    }

    private Path workDirectory(String deploymentId) {
        try {
            Path base = Path.of(config.workDir().orElse(System.getProperty("java.io.tmpdir")));
            Files.createDirectories(base);
            String safe = deploymentId == null ? "unknown" : deploymentId.replaceAll("[^A-Za-z0-9_-]", "_");
            return Files.createTempDirectory(base, "build-" + safe + "-");
        } catch (IOException e) {
            throw new BuildFailure("cannot create a work directory (benchline.build.work-dir): " + e.getMessage(), e);
        }
    }

    private static void delete(Path directory) {
        if (directory == null) {
            return;
        }
        try {
            FileUtils.delete(directory.toFile(), FileUtils.RECURSIVE | FileUtils.RETRY | FileUtils.SKIP_MISSING);
        } catch (IOException e) {
            LOG.warnf("cannot delete %s: %s", directory, e.toString());
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public String workerId() {
        return workerId;
    }

    static String defaultWorkerId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException | RuntimeException e) {
            host = "localhost";
        }
        return "build-worker@" + host + ":" + ProcessHandle.current().pid();
    }
}
