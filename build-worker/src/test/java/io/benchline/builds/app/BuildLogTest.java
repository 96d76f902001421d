package io.benchline.builds.app;

import io.benchline.events.BuildLogs;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;

class BuildLogTest {
    /** A sink that records each batch and reports it published at once. */
    private static java.util.function.Function<List<BuildLogs.Line>, CompletionStage<?>> recording(
            List<List<BuildLogs.Line>> batches) {
        return batch -> {
            batches.add(batch);
            return CompletableFuture.completedFuture(null);
        };
    }
    @Test
    void batchesByCountAndNumbersLinesFromOne() {
        List<List<BuildLogs.Line>> batches = new CopyOnWriteArrayList<>();
        try (BuildLog log = new BuildLog("dep_x", 2, recording(batches))) {
            log.info("a");
            log.warn("b");
            log.error("c");
            assertThat(batches).hasSize(1);
        }
        assertThat(batches).hasSize(2);
        assertThat(batches.get(0)).extracting(BuildLogs.Line::number).containsExactly(1L, 2L);
        assertThat(batches.get(0)).extracting(BuildLogs.Line::level).containsExactly("info", "warn");
        assertThat(batches.get(1)).singleElement().satisfies(l -> {
            assertThat(l.number()).isEqualTo(3);
            assertThat(l.text()).isEqualTo("c");
            assertThat(l.timestamp()).isNotNull();
        });
    }

    @Test
    void flushesPendingLinesOnTheTimer() throws Exception {
        List<List<BuildLogs.Line>> batches = new CopyOnWriteArrayList<>();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (BuildLog log = new BuildLog("dep_x", 100, recording(batches)).flushEvery(scheduler, Duration.ofMillis(50))) {
            log.info("slow step");
            long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (batches.isEmpty() && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertThat(batches).hasSize(1);
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void aFailingSinkDoesNotBreakTheBuild() {
        try (BuildLog log = new BuildLog("dep_x", 1, lines -> {
            throw new IllegalStateException("broker down");
        })) {
            log.info("still fine");
            assertThat(log.lineCount()).isEqualTo(1);
            assertThat(log.awaitPublished(Duration.ofSeconds(5))).as("a lost batch is not counted").isZero();
        }
    }

    @Test
    void countsExactlyTheLinesOfPublishedBatches() {
        List<List<BuildLogs.Line>> handed = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> late = new CompletableFuture<>();
        // batch 1 published, batch 2 refused by the broker, batch 3 acknowledged only after the first wait
        List<CompletionStage<?>> answers = List.of(CompletableFuture.completedFuture(null),
                CompletableFuture.failedFuture(new IllegalStateException("record too large")), late);
        BuildLog log = new BuildLog("dep_x", 2, batch -> {
            handed.add(batch);
            return answers.get(handed.size() - 1);
        });
        try (log) {
            log.info("1");
            log.info("2");
            log.info("3");
            log.info("4");
            log.info("5");
        }
        log.info("after close");

        assertThat(handed).extracting(List::size).containsExactly(2, 2, 1);
        assertThat(log.lineCount()).isEqualTo(5);
        assertThat(log.awaitPublished(Duration.ofMillis(50))).as("batch 3 not yet acknowledged").isEqualTo(2);
        late.complete(null);
        assertThat(log.awaitPublished(Duration.ofSeconds(5))).isEqualTo(3);
    }
}
