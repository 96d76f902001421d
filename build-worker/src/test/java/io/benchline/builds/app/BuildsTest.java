package io.benchline.builds.app;

import io.benchline.builds.TestRepos;
import io.benchline.builds.TestZips;
import io.benchline.builds.messaging.FakeArtifactStore;
import io.benchline.builds.archive.ArchiveWriter;
import io.benchline.builds.procedure.ProcedureValidator;
import io.benchline.builds.source.GitSource;
import io.benchline.builds.source.RepositoryCredentialsClient;
import io.benchline.builds.source.UploadSource;
import io.benchline.builds.storage.ArtifactStoreClient;
import io.benchline.events.BuildCompleted;
import io.benchline.events.BuildLogs;
import io.benchline.events.BuildRequested;
import io.benchline.events.Commit;
import io.benchline.events.EventCodec;
import io.benchline.events.EventEnvelope;
import io.benchline.events.EventIds;
import io.benchline.events.Topics;
import io.benchline.repositories.CloneUrlPolicy;
import io.benchline.testsupport.BenchlineInfra;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.MemorySize;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The build use case without Kafka: event order, acknowledgement, clean-up and failure reporting. */
class BuildsTest {
    @TempDir
    Path temp;

    /** Records every event; acknowledges logs late, and build.completed only while {@code ackCompleted}. */
    static final class RecordingEvents implements BuildEvents {
        record Sent(String topic, String key, EventEnvelope envelope, long at) {
        }

        final List<Sent> sent = new CopyOnWriteArrayList<>();
        final List<Long> logAckedAt = new CopyOnWriteArrayList<>();
        volatile boolean ackCompleted = true;
        /** The n-th build.logs event (from 1) the broker refuses; 0 for none. */
        volatile int refuseLogBatch;
        private final java.util.concurrent.atomic.AtomicInteger logBatches = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public CompletionStage<Void> publish(String topic, String key, EventEnvelope envelope) {
            sent.add(new Sent(topic, key, envelope, System.nanoTime()));
            if (topic.equals(Topics.BUILD_LOGS) && logBatches.incrementAndGet() == refuseLogBatch) {
                return CompletableFuture.failedFuture(new IllegalStateException("record too large"));
            }
            if (topic.equals(Topics.BUILD_LOGS)) {
                return CompletableFuture.runAsync(() -> logAckedAt.add(System.nanoTime()),
                        CompletableFuture.delayedExecutor(150, TimeUnit.MILLISECONDS));
            }
            if (topic.equals(Topics.BUILD_COMPLETED) && !ackCompleted) {
                return CompletableFuture.failedFuture(new IllegalStateException("broker unavailable"));
            }
            return CompletableFuture.completedFuture(null);
        }
    }

    /** File URLs allowed (the tests' repositories are local), private hosts refused. */
    static final CloneUrlPolicy POLICY = new CloneUrlPolicy(List.of("https"), false, true, List.of());

    private Builds builds(RecordingEvents events, String artifactUrl) throws Exception {
        return builds(events, artifactUrl, closedPortUrl());
    }

    private Builds builds(RecordingEvents events, String artifactUrl, String deploymentUrl) {
        BuildConfig config = new TestConfig(temp.resolve("work"));
        String token = BenchlineInfra.INTERNAL_TOKEN;
        return new Builds(config, new GitSource(config, POLICY), new ProcedureValidator(), new ArchiveWriter(),
                new ArtifactStoreClient(artifactUrl, token, Duration.ofSeconds(5), 1),
                new RepositoryCredentialsClient(deploymentUrl, token),
                new UploadSource(artifactUrl, token, new UploadSource.Limits(config.maxUploadSize().asLongValue(),
                        config.maxSourceSize().asLongValue(), config.maxFiles(), config.uploadTimeout(),
                        config.uploadAttempts())),
                events, new SimpleMeterRegistry(), io.opentelemetry.api.OpenTelemetry.noop().getTracer("test"));
    }

    private static BuildRequested request(String cloneUrl, String sha) {
        return new BuildRequested(EventIds.withPrefix("dep"), EventIds.withPrefix("org"), EventIds.withPrefix("prc"),
                "p", 1, "preview", new BuildRequested.Source("git", cloneUrl, sha, "main", null));
    }

    private static String closedPortUrl() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }
    }

    @Test
    void anUnreachableArtifactStoreFailsTheBuildAfterStartedAndLogsWereAcknowledged() throws Exception {
        Path repo = temp.resolve("repo");
        RevCommit commit = TestRepos.create(repo, TestRepos.validProcedure());
        RecordingEvents events = new RecordingEvents();
        BuildRequested request = request(repo.toUri().toString(), commit.getName());

        BuildCompleted completed = builds(events, closedPortUrl()).run(request);

        assertThat(completed.outcome()).isEqualTo(BuildCompleted.FAILED);
        assertThat(completed.failureReason()).startsWith("upload failed after 1 attempts: cannot reach artifact-store");
        assertThat(completed.artifact()).isNull();
        assertThat(completed.commit().sha()).isEqualTo(commit.getName());
        assertThat(completed.runtimeVersion()).isEqualTo("3.11");

        List<String> topics = events.sent.stream().map(RecordingEvents.Sent::topic).toList();
        assertThat(topics.get(0)).isEqualTo(Topics.BUILD_STARTED);
        assertThat(topics.get(topics.size() - 1)).isEqualTo(Topics.BUILD_COMPLETED);
        assertThat(topics).filteredOn(Topics.BUILD_COMPLETED::equals).hasSize(1);
        assertThat(events.sent).allMatch(s -> s.key().equals(request.deploymentId()));
        long completedAt = events.sent.get(events.sent.size() - 1).at();
        assertThat(events.logAckedAt).isNotEmpty().allMatch(acked -> acked <= completedAt);
        List<BuildLogs.Line> published = events.sent.stream().filter(s -> s.topic().equals(Topics.BUILD_LOGS))
                .flatMap(s -> EventCodec.data(s.envelope(), BuildLogs.class).lines().stream()).toList();
        assertThat(completed.logLineCount()).as("log_line_count is the lines published on build.logs")
                .isEqualTo(published.size()).isGreaterThan(3);
        assertThat(published).extracting(BuildLogs.Line::number).doesNotHaveDuplicates();
        List<BuildLogs.Line> errors = published.stream().filter(l -> l.level().equals("error")).toList();
        assertThat(errors).extracting(BuildLogs.Line::text)
                .containsExactly("build failed: " + completed.failureReason());

        try (var left = Files.list(temp.resolve("work"))) {
            assertThat(left).as("the build's temp directory is deleted").isEmpty();
        }
    }

    @Test
    void aLogBatchTheBrokerRefusedIsNotCountedInLogLineCount() throws Exception {
        Path repo = temp.resolve("repo");
        RevCommit commit = TestRepos.create(repo, TestRepos.validProcedure());
        RecordingEvents events = new RecordingEvents();
        events.refuseLogBatch = 1;

        BuildCompleted completed = builds(events, closedPortUrl()).run(request(repo.toUri().toString(), commit.getName()));

        List<Integer> batchSizes = events.sent.stream().filter(s -> s.topic().equals(Topics.BUILD_LOGS))
                .map(s -> EventCodec.data(s.envelope(), BuildLogs.class).lines().size()).toList();
        assertThat(batchSizes).hasSizeGreaterThan(1);
        long numbered = batchSizes.stream().mapToLong(Integer::longValue).sum();
        assertThat(completed.logLineCount()).isEqualTo(numbered - batchSizes.get(0));
    }

    @Test
    void aCloneUrlThePolicyRefusesFailsTheBuildWithItsReasonBeforeCredentialsAreFetched() throws Exception {
        for (String url : List.of("https://127.0.0.1/acme/rig.git", "https://169.254.169.254/latest",
                "https://localhost/acme/rig.git", "http://github.com/acme/rig.git",
                "https://x:ghp_leak@github.com/acme/rig.git")) {
            RecordingEvents events = new RecordingEvents();
            BuildRequested request = new BuildRequested(EventIds.withPrefix("dep"), EventIds.withPrefix("org"),
                    EventIds.withPrefix("prc"), "p", 1, "preview",
                    new BuildRequested.Source("git", url, "0123456789abcdef0123456789abcdef01234567", "main", null,
                            EventIds.withPrefix("prc")));

            // The credentials endpoint is a closed port: asking it would fail differently.
            BuildCompleted completed = builds(events, closedPortUrl(), closedPortUrl()).run(request);

            assertThat(completed.outcome()).as(url).isEqualTo(BuildCompleted.FAILED);
            assertThat(completed.failureReason()).as(url).contains(" refused (").doesNotContain("ghp_leak")
                    .doesNotContain("credentials after");
            List<String> errors = events.sent.stream().filter(s -> s.topic().equals(Topics.BUILD_LOGS))
                    .flatMap(s -> EventCodec.data(s.envelope(), BuildLogs.class).lines().stream())
                    .filter(l -> l.level().equals("error")).map(BuildLogs.Line::text).toList();
            assertThat(errors).as(url).containsExactly("build failed: " + completed.failureReason());
        }
    }

    @Test
    void anSshDeployKeyFailsTheBuildWithAReasonSayingWhy() throws Exception {
        Path repo = temp.resolve("repo");
        RevCommit commit = TestRepos.create(repo, TestRepos.validProcedure());
        String procedureId = EventIds.withPrefix("prc");
        try (var server = new StubCredentials(procedureId,
                "{\"type\":\"ssh_key\",\"private_key\":\"-----BEGIN OPENSSH PRIVATE KEY-----\\nx\\n-----END OPENSSH PRIVATE KEY-----\"}")) {
            RecordingEvents events = new RecordingEvents();
            BuildRequested request = new BuildRequested(EventIds.withPrefix("dep"), EventIds.withPrefix("org"),
                    procedureId, "p", 1, "preview", new BuildRequested.Source("git", repo.toUri().toString(),
                            commit.getName(), "main", null, procedureId));

            BuildCompleted completed = builds(events, closedPortUrl(), server.url()).run(request);

            assertThat(completed.outcome()).isEqualTo(BuildCompleted.FAILED);
            assertThat(completed.failureReason()).contains("SSH deploy key").contains("org.eclipse.jgit.ssh.apache");
            assertThat(server.requests).containsExactly(procedureId + "?deployment_id=" + request.deploymentId());
        }
    }

    /** A one-endpoint deployment-service: the credentials of one procedure. */
    static final class StubCredentials implements AutoCloseable {
        final List<String> requests = new CopyOnWriteArrayList<>();
        private final com.sun.net.httpserver.HttpServer server;

        StubCredentials(String procedureId, String json) throws java.io.IOException {
            server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                requests.add(path.replace("/internal/v1/procedures/", "").replace("/credentials", "") + "?"
                        + exchange.getRequestURI().getQuery());
                boolean ours = path.equals("/internal/v1/procedures/" + procedureId + "/credentials");
                byte[] body = (ours ? json : "{}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(ours ? 200 : 404, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @Test
    void aBuildCompletedTheBrokerNeverAcknowledgesIsNotReportedAsDone() throws Exception {
        RecordingEvents events = new RecordingEvents();
        events.ackCompleted = false;

        assertThatThrownBy(() -> builds(events, "http://127.0.0.1:9").run(request("/nonexistent/repo", null)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("was not acknowledged after 2 attempts");
        assertThat(events.sent).filteredOn(s -> s.topic().equals(Topics.BUILD_COMPLETED)).hasSize(2)
                .extracting(s -> s.envelope().id()).as("one event id across retries")
                .containsOnly(events.sent.get(events.sent.size() - 1).envelope().id());
    }

    @Test
    void anUnsupportedSourceKindIsAFailedBuildNotACrash() throws Exception {
        RecordingEvents events = new RecordingEvents();
        BuildRequested svn = new BuildRequested(EventIds.withPrefix("dep"), EventIds.withPrefix("org"),
                EventIds.withPrefix("prc"), "p", 1, "development",
                new BuildRequested.Source("svn", "svn://example.com/rig", null, null, null));

        BuildCompleted completed = builds(events, "http://127.0.0.1:9").run(svn);

        assertThat(completed.outcome()).isEqualTo(BuildCompleted.FAILED);
        assertThat(completed.failureReason())
                .isEqualTo("source kind 'svn' is not supported by build-worker (git or upload)");
        assertThat(completed.commit()).isNull();
    }

    // Builds from an upload, against the fake artifact-store's upload endpoints.

    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    private static BuildRequested uploadRequest(String orgId, String uploadId, String commitSha) {
        return new BuildRequested(EventIds.withPrefix("dep"), orgId, EventIds.withPrefix("prc"), "p", 1,
                "development", new BuildRequested.Source("upload", null, commitSha, null, uploadId));
    }

    /** The fake artifact-store, started for one test; {@link #url()} is its base URL. */
    static final class ArtifactStore implements AutoCloseable {
        final FakeArtifactStore fake = new FakeArtifactStore();
        final String url = fake.start().get("benchline.services.artifact-url");

        String url() {
            return url;
        }

        @Override
        public void close() {
            fake.stop();
        }
    }

    private static List<String> logTexts(RecordingEvents events) {
        return events.sent.stream().filter(s -> s.topic().equals(Topics.BUILD_LOGS))
                .flatMap(s -> EventCodec.data(s.envelope(), BuildLogs.class).lines().stream())
                .map(BuildLogs.Line::text).toList();
    }

    @Test
    void aBuildFromAnUploadIsReadyAndTwoBuildsOfOneUploadPackTheSameBytes() throws Exception {
        String org = EventIds.withPrefix("org");
        List<TestZips.Entry> entries = new java.util.ArrayList<>(TestZips.files(TestRepos.validProcedure()));
        entries.add(0, TestZips.directory("lib"));
        String upload = FakeArtifactStore.serve(FakeArtifactStore.Upload.of(org, TestZips.zip(entries),
                "Tune the limits\n\nand more", "Ada Tester"));
        // The same files, stored instead of deflated and in the opposite order: the same source.
        java.util.Collections.reverse(entries);
        String sameFiles = FakeArtifactStore.serve(FakeArtifactStore.Upload.of(org,
                TestZips.zip(entries.stream().map(TestZips.Entry::stored).toList()), "Tune the limits\n\nand more",
                "Ada Tester"));

        try (ArtifactStore store = new ArtifactStore()) {
            RecordingEvents events = new RecordingEvents();
            BuildCompleted first = builds(events, store.url()).run(uploadRequest(org, upload, SHA));
            BuildCompleted second = builds(new RecordingEvents(), store.url()).run(uploadRequest(org, upload, SHA));
            BuildCompleted third = builds(new RecordingEvents(), store.url()).run(uploadRequest(org, sameFiles, SHA));

            assertThat(first.outcome()).as(first.failureReason()).isEqualTo(BuildCompleted.READY);
            assertThat(first.commit()).isEqualTo(new Commit(SHA, "Tune the limits\n\nand more", "Ada Tester", null,
                    null));
            assertThat(first.runtimeVersion()).isEqualTo("3.11");
            assertThat(first.entryPoint()).isEqualTo("main.py");
            assertThat(second.artifact().digest()).as("one upload, one archive").isEqualTo(first.artifact().digest());
            assertThat(third.artifact().digest()).as("the same files, zipped differently")
                    .isEqualTo(first.artifact().digest());
            assertThat(logTexts(events)).anyMatch(l -> l.startsWith("reading upload " + upload + " ("))
                    .anyMatch(l -> l.contains("a working tree at commit " + SHA + " by Ada Tester: Tune the limits"))
                    .contains("6 files, " + TestRepos.validProcedure().values().stream()
                            .mapToInt(v -> v.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).sum()
                            + " bytes");

            byte[] archive = FakeArtifactStore.STORED.get(first.artifact().digest());
            List<String> names = new java.util.ArrayList<>();
            String manifest = null;
            try (var zip = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(archive))) {
                for (var e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                    names.add(e.getName());
                    if (e.getName().equals("manifest.json")) {
                        manifest = new String(zip.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                    }
                }
            }
            assertThat(names).containsExactly("manifest.json", ".gitignore", "lib/__init__.py", "lib/helpers.py",
                    "main.py", "procedure.yaml", "requirements.txt");
            assertThat(manifest).contains("\"commit\":{\"sha\":\"" + SHA
                    + "\",\"message\":\"Tune the limits\\n\\nand more\",\"author\":\"Ada Tester\"}");
        }
        try (var left = Files.list(temp.resolve("work"))) {
            assertThat(left).as("the builds' temp directories are deleted").isEmpty();
        }
    }

    @Test
    void anUploadOutsideGitHasNoCommitSha() throws Exception {
        String org = EventIds.withPrefix("org");
        String upload = FakeArtifactStore.serve(FakeArtifactStore.Upload.of(org,
                TestZips.zip(TestRepos.validProcedure()), null, null));
        try (ArtifactStore store = new ArtifactStore()) {
            RecordingEvents events = new RecordingEvents();
            BuildCompleted completed = builds(events, store.url()).run(uploadRequest(org, upload, null));

            assertThat(completed.outcome()).as(completed.failureReason()).isEqualTo(BuildCompleted.READY);
            assertThat(completed.commit()).isEqualTo(new Commit(null, null, null, null, null));
            assertThat(logTexts(events)).anyMatch(l -> l.endsWith("a working tree outside git"));
        }
    }

    @Test
    void anUploadWhoseSha256IsNotTheAnnouncedOneFailsWithBoth() throws Exception {
        String org = EventIds.withPrefix("org");
        byte[] zip = TestZips.zip(TestRepos.validProcedure());
        String announced = TestZips.sha256("another zip".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String upload = FakeArtifactStore.serve(FakeArtifactStore.Upload.of(org, zip, "m", "a")
                .announcing(zip.length, announced));
        try (ArtifactStore store = new ArtifactStore()) {
            BuildCompleted completed = builds(new RecordingEvents(), store.url()).run(uploadRequest(org, upload, SHA));

            assertThat(completed.outcome()).isEqualTo(BuildCompleted.FAILED);
            assertThat(completed.failureReason()).isEqualTo("the upload's sha256 is " + TestZips.sha256(zip)
                    + " but the CLI announced " + announced
                    + ": the zip was changed or damaged after the CLI hashed it; deploy again");
            assertThat(completed.commit()).as("known before the zip was read")
                    .isEqualTo(new Commit(SHA, "m", "a", null, null));
        }
    }

    @Test
    void anUploadOverTheSizeLimitFailsWithItsReason() throws Exception {
        String org = EventIds.withPrefix("org");
        byte[] noise = new byte[1_200_000];
        new java.util.Random(7).nextBytes(noise);
        Map<String, String> files = new java.util.HashMap<>(TestRepos.validProcedure());
        byte[] zip = TestZips.zip(java.util.stream.Stream.concat(TestZips.files(files).stream(),
                java.util.stream.Stream.of(TestZips.file("data.bin", noise).stored())).toList());
        String honest = FakeArtifactStore.serve(FakeArtifactStore.Upload.of(org, zip, "m", "a"));
        // artifact-store's record claims a small zip, but the body is the large one.
        byte[] small = TestZips.zip(TestRepos.validProcedure());
        String lying = FakeArtifactStore.serve(FakeArtifactStore.Upload.of(org, small, "m", "a").serving(zip, false,
                Duration.ZERO));
        try (ArtifactStore store = new ArtifactStore()) {
            BuildCompleted refused = builds(new RecordingEvents(), store.url()).run(uploadRequest(org, honest, SHA));
            BuildCompleted cut = builds(new RecordingEvents(), store.url()).run(uploadRequest(org, lying, SHA));

            assertThat(refused.outcome()).isEqualTo(BuildCompleted.FAILED);
            assertThat(refused.failureReason()).isEqualTo("upload " + honest + " is " + zip.length
                    + " bytes, more than the limit of 1000000 bytes (benchline.build.max-upload-size)");
            assertThat(cut.outcome()).isEqualTo(BuildCompleted.FAILED);
            assertThat(cut.failureReason()).isEqualTo("upload " + lying + " is " + zip.length
                    + " bytes, more than the limit of 1000000 bytes (benchline.build.max-upload-size)");
        }
    }

    @Test
    void anUnknownUploadOrOneOfAnotherOrganizationFails() throws Exception {
        String org = EventIds.withPrefix("org");
        String upload = FakeArtifactStore.serve(FakeArtifactStore.Upload.of(org,
                TestZips.zip(TestRepos.validProcedure()), "m", "a"));
        try (ArtifactStore store = new ArtifactStore()) {
            for (BuildRequested request : List.of(uploadRequest(org, EventIds.withPrefix("upl"), SHA),
                    uploadRequest(EventIds.withPrefix("org"), upload, SHA))) {
                BuildCompleted completed = builds(new RecordingEvents(), store.url()).run(request);

                assertThat(completed.outcome()).isEqualTo(BuildCompleted.FAILED);
                assertThat(completed.failureReason()).isEqualTo("upload " + request.source().uploadKey()
                        + " is unknown to artifact-store, expired or of another organization; deploy again");
            }
            BuildCompleted notAnId = builds(new RecordingEvents(), store.url())
                    .run(uploadRequest(org, "uploads/../../etc", SHA));
            assertThat(notAnId.failureReason())
                    .isEqualTo("the build request's upload_key 'uploads/../../etc' is not an upload id (upl_…)");
        }
    }

    @Test
    void anUploadWithAnUnsafeEntryFailsNamingIt() throws Exception {
        String org = EventIds.withPrefix("org");
        List<TestZips.Entry> entries = new java.util.ArrayList<>(TestZips.files(TestRepos.validProcedure()));
        entries.add(TestZips.file("lib/../../escape.py", "x = 1\n"));
        String upload = FakeArtifactStore.serve(FakeArtifactStore.Upload.of(org, TestZips.zip(entries), "m", "a"));
        try (ArtifactStore store = new ArtifactStore()) {
            RecordingEvents events = new RecordingEvents();
            BuildCompleted completed = builds(events, store.url()).run(uploadRequest(org, upload, SHA));

            assertThat(completed.failureReason())
                    .isEqualTo("the upload's entry 'lib/../../escape.py' has a .. segment");
            assertThat(logTexts(events)).contains("build failed: " + completed.failureReason());
        }
    }

    /** Defaults of BuildConfig, small timeouts, a given work directory. */
    record TestConfig(Path work) implements BuildConfig {
        public int concurrency() {
            return 1;
        }

        public Duration timeout() {
            return Duration.ofMinutes(1);
        }

        public Duration cloneTimeout() {
            return Duration.ofSeconds(30);
        }

        public MemorySize maxRepositorySize() {
            return new MemorySize(BigInteger.valueOf(50_000_000));
        }

        public MemorySize maxSourceSize() {
            return new MemorySize(BigInteger.valueOf(50_000_000));
        }

        public MemorySize maxUploadSize() {
            return new MemorySize(BigInteger.valueOf(1_000_000));
        }

        public int maxFiles() {
            return 1000;
        }

        public int logBatchSize() {
            return 3;
        }

        public Duration logFlushInterval() {
            return Duration.ofMillis(100);
        }

        public Optional<String> workDir() {
            return Optional.of(work.toString());
        }

        public Optional<String> workerId() {
            return Optional.of("test-worker");
        }

        public Optional<String> defaultPython() {
            return Optional.empty();
        }

        public String packageIndex() {
            return "http://127.0.0.1:9/simple";
        }

        public String stationPlatform() {
            return "linux-x86_64";
        }

        public MemorySize maxWheelSize() {
            return new MemorySize(BigInteger.valueOf(10_000_000));
        }

        public MemorySize maxPackagesSize() {
            return new MemorySize(BigInteger.valueOf(20_000_000));
        }

        public Duration packageTimeout() {
            return Duration.ofSeconds(10);
        }

        public Duration publishTimeout() {
            return Duration.ofSeconds(2);
        }

        public int publishAttempts() {
            return 2;
        }

        public Duration uploadTimeout() {
            return Duration.ofSeconds(5);
        }

        public int uploadAttempts() {
            return 1;
        }
    }
}
