package io.benchline.builds.app;

import io.benchline.events.BuildLogs;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The timestamped lines of one build, numbered from 1. Lines are handed to the sink in batches: when a batch is
 * full, on every tick of {@link #flushEvery} and at {@link #close()}, so logs appear while the build runs.
 * The sink is called under this log's lock, so batches leave in line order.
 */
public class BuildLog implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BuildLog.class);

    private final String deploymentId;
    private final int batchSize;
    private final Consumer<List<BuildLogs.Line>> sink;
    private final List<BuildLogs.Line> pending = new ArrayList<>();
    private long number;
    private ScheduledFuture<?> ticker;

    public BuildLog(String deploymentId, int batchSize, Consumer<List<BuildLogs.Line>> sink) {
        this.deploymentId = deploymentId;
        this.batchSize = Math.max(1, batchSize);
        this.sink = sink;
    }

    /** Flushes pending lines periodically until {@link #close()}. */
    public synchronized BuildLog flushEvery(ScheduledExecutorService scheduler, Duration interval) {
        long millis = Math.max(10, interval.toMillis());
        ticker = scheduler.scheduleWithFixedDelay(this::flush, millis, millis, TimeUnit.MILLISECONDS);
        return this;
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
        LOG.debugf("[%s] %s %s", deploymentId, level, text);
        pending.add(new BuildLogs.Line(++number, Instant.now().truncatedTo(ChronoUnit.MICROS), level, text));
        if (pending.size() >= batchSize) {
            flush();
        }
    }

    /** Hands the pending lines to the sink; a failing sink loses the batch, never the build. */
    public synchronized void flush() {
        if (pending.isEmpty()) {
            return;
        }
        List<BuildLogs.Line> batch = List.copyOf(pending);
        pending.clear();
        try {
            sink.accept(batch);
        } catch (RuntimeException e) {
            LOG.warnf("build %s: %d log lines could not be published: %s", deploymentId, batch.size(), e.toString());
        }
    }

    public synchronized long lineCount() {
        return number;
    }

    /** Stops the periodic flush and flushes what is left. */
    @Override
    public synchronized void close() {
        if (ticker != null) {
            ticker.cancel(false);
            ticker = null;
        }
        flush();
    }
}
