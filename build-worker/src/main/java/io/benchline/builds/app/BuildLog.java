package io.benchline.builds.app;

import io.benchline.events.BuildLogs;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The timestamped lines of one build, numbered from 1. Lines are handed to the sink in batches: when a batch is
 * full and at each {@link #flush()}, so logs appear while the build runs.
 */
public class BuildLog {
    private final int batchSize;
    private final Consumer<List<BuildLogs.Line>> sink;
    private final List<BuildLogs.Line> pending = new ArrayList<>();
    private long number;

    public BuildLog(int batchSize, Consumer<List<BuildLogs.Line>> sink) {
        this.batchSize = Math.max(1, batchSize);
        this.sink = sink;
    }

    public void info(String text) {
        add("info", text);
    }

    public void warn(String text) {
        add("warn", text);
    }

    public void error(String text) {
        add("error", text);
    }

    private synchronized void add(String level, String text) {
        pending.add(new BuildLogs.Line(++number, Instant.now().truncatedTo(ChronoUnit.MICROS), level, text));
        if (pending.size() >= batchSize) {
            flush();
        }
    }

    /** Hands the pending lines to the sink. */
    public synchronized void flush() {
        if (pending.isEmpty()) {
            return;
        }
        List<BuildLogs.Line> batch = List.copyOf(pending);
        pending.clear();
        sink.accept(batch);
    }

    public synchronized long lineCount() {
        return number;
    }
}
