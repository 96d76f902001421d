package io.benchline.builds.source;

import io.benchline.builds.TestRepos;
import io.benchline.builds.TestZips;
import io.benchline.builds.app.BuildFailure;
import io.benchline.builds.app.BuildLog;
import io.benchline.builds.app.Deadline;
import io.benchline.builds.messaging.FakeArtifactStore;
import io.benchline.events.BuildLogs;
import io.benchline.events.EventIds;
import io.benchline.testsupport.BenchlineInfra;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading an upload from (a fake) artifact-store: limits while streaming, stalls, retries, what the record says. */
class UploadSourceTest {
    private static final String ORG = EventIds.withPrefix("org");

    @TempDir
    Path temp;

    private final FakeArtifactStore store = new FakeArtifactStore();
    private final List<BuildLogs.Line> lines = new CopyOnWriteArrayList<>();
    private final BuildLog log = new BuildLog("dep_test", 100, batch -> {
        lines.addAll(batch);
        return CompletableFuture.completedFuture(null);
    });
    private String url;

    @BeforeEach
    void start() {
        url = store.start().get("benchline.services.artifact-url");
    }

    @AfterEach
    void stop() {
        store.stop();
        log.close();
    }

    private UploadSource source(long maxUploadBytes, Duration timeout, int attempts) {
        return new UploadSource(url, BenchlineInfra.INTERNAL_TOKEN,
                new UploadSource.Limits(maxUploadBytes, 10_000_000, 100, timeout, attempts));
    }

    private SourceTree read(UploadSource source, String id, Deadline deadline) throws Exception {
        Path directory = Files.createTempDirectory(temp, "build");
        UploadSource.Upload upload = source.describe(id, ORG, deadline, log);
        return source.fetch(upload, null, directory, deadline, log);
    }

    private static Deadline minute() {
        return Deadline.forBuild(Duration.ofMinutes(1));
    }

    @Test
    void readsTheRecordAndTheZipAfterRetryingA503() throws Exception {
        byte[] zip = TestZips.zip(TestRepos.validProcedure());
        String id = FakeArtifactStore.serve(FakeArtifactStore.Upload.of(ORG, zip, "Fix\n\nbody", "Ada"));
        UploadSource source = source(1_000_000, Duration.ofSeconds(5), 3);
        FakeArtifactStore.FAIL_NEXT_UPLOAD_READ.set(1);

        UploadSource.Upload upload = source.describe(id, ORG, minute(), log);
        FakeArtifactStore.FAIL_NEXT_UPLOAD_READ.set(1);
        try (SourceTree tree = source.fetch(upload, "0123456789abcdef0123456789abcdef01234567",
                Files.createTempDirectory(temp, "build"), minute(), log)) {
            assertThat(upload.sizeBytes()).isEqualTo(zip.length);
            assertThat(upload.sha256()).isEqualTo(TestZips.sha256(zip));
            assertThat(tree.commit().message()).isEqualTo("Fix\n\nbody");
            assertThat(tree.files()).hasSize(6);
        }
        log.flush();
        assertThat(lines).extracting(BuildLogs.Line::text).filteredOn(t -> t.contains("retrying")).hasSize(2)
                .allMatch(t -> t.contains("artifact-store answered 503: try again"));
    }

    @Test
    void bothReadsContinueTheBuildsTrace() throws Exception {
        String id = FakeArtifactStore.serve(FakeArtifactStore.Upload.of(ORG, TestZips.zip(TestRepos.validProcedure()),
                "m", "a"));
        SpanContext build = SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
                TraceFlags.getSampled(), TraceState.getDefault());
        try (Scope ignored = Span.wrap(build).makeCurrent();
             SourceTree tree = read(source(1_000_000, Duration.ofSeconds(5), 1), id, minute())) {
            assertThat(tree.files()).isNotEmpty();
        }
        String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        assertThat(FakeArtifactStore.UPLOAD_READS).contains("/internal/v1/uploads/" + id + " " + traceparent,
                "/internal/v1/uploads/" + id + "/content " + traceparent);
    }

    @Test
    void aBodyWithoutLengthIsCutAtTheLimitWhileStreaming() {
        byte[] big = new byte[300_000];
        new java.util.Random(1).nextBytes(big);
        byte[] zip = TestZips.zip(TestZips.file("big.bin", big).stored());
        byte[] small = TestZips.zip(TestRepos.validProcedure());
        String id = FakeArtifactStore.serve(FakeArtifactStore.Upload.of(ORG, small, "m", "a")
                .serving(zip, true, Duration.ZERO));

        assertThatThrownBy(() -> read(source(100_000, Duration.ofSeconds(5), 1), id, minute()))
                .isInstanceOf(BuildFailure.class)
                .hasMessage("upload " + id
                        + " is more than the limit of 100000 bytes (benchline.build.max-upload-size)");
    }

    @Test
    void aBodyShorterOrOtherThanAnnouncedFails() {
        byte[] zip = TestZips.zip(TestRepos.validProcedure());
        byte[] other = TestZips.zip(TestZips.file("main.py", "print(2)\n"));
        String id = FakeArtifactStore.serve(FakeArtifactStore.Upload.of(ORG, zip, "m", "a")
                .serving(other, true, Duration.ZERO));

        assertThatThrownBy(() -> read(source(1_000_000, Duration.ofSeconds(5), 1), id, minute()))
                .isInstanceOf(BuildFailure.class).hasMessage("upload " + id + " held " + other.length
                        + " bytes but the CLI announced " + zip.length
                        + ": the upload was interrupted or replaced; deploy again");
    }

    @Test
    void aRecordWithoutStoredBytesOrWithOtherBytesFailsBeforeReading() {
        byte[] zip = TestZips.zip(TestRepos.validProcedure());
        String pending = FakeArtifactStore.serve(FakeArtifactStore.Upload.of(ORG, zip, "m", "a").stored(null));
        String replaced = FakeArtifactStore.serve(FakeArtifactStore.Upload.of(ORG, zip, "m", "a")
                .stored((long) zip.length + 1));
        UploadSource source = source(1_000_000, Duration.ofSeconds(5), 1);

        assertThatThrownBy(() -> read(source, pending, minute())).isInstanceOf(BuildFailure.class)
                .hasMessage("upload " + pending + " holds no zip yet: the CLI's upload did not finish; deploy again");
        assertThatThrownBy(() -> read(source, replaced, minute())).isInstanceOf(BuildFailure.class)
                .hasMessage("upload " + replaced + " holds " + (zip.length + 1) + " bytes but the CLI announced "
                        + zip.length + ": the upload was interrupted or replaced; deploy again");
    }

    @Test
    void aStalledBodyEndsWithTheTimeoutThatRanOut() {
        byte[] zip = TestZips.zip(TestRepos.validProcedure());
        String id = FakeArtifactStore.serve(FakeArtifactStore.Upload.of(ORG, zip, "m", "a")
                .serving(zip, false, Duration.ofSeconds(30)));

        long started = System.nanoTime();
        assertThatThrownBy(() -> read(source(1_000_000, Duration.ofMillis(700), 2), id, minute()))
                .isInstanceOf(BuildFailure.class).hasMessage("cannot read upload " + id + " after 2 attempts: reading"
                        + " upload " + id + " from artifact-store timed out after 700ms"
                        + " (benchline.build.upload-timeout)");
        assertThatThrownBy(() -> read(source(1_000_000, Duration.ofSeconds(30), 2), id,
                Deadline.forBuild(Duration.ofMillis(800))))
                .isInstanceOf(BuildFailure.class).hasMessage("build timed out after 800ms (benchline.build.timeout)");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }
}
