package io.benchline.builds.app;

import io.benchline.events.BuildLogs;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;

class BuildLogTest {
    @Test
    void batchesByCountAndNumbersLinesFromOne() {
        List<List<BuildLogs.Line>> batches = new CopyOnWriteArrayList<>();
        try (BuildLog log = new BuildLog("dep_x", 2, batches::add)) {
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
        try (BuildLog log = new BuildLog("dep_x", 100, batches::add).flushEvery(scheduler, Duration.ofMillis(50))) {
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
        }
    }
}
