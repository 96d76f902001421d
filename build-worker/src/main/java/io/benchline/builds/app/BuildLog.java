package io.benchline.builds.app;

import io.benchline.events.BuildLogs;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The timestamped lines of one build, numbered from 1. Lines are handed to the sink in batches: when a batch is
 * full, on every tick of {@link #flushEvery} and at {@link #close()}, so logs appear while the build runs.
 * The sink is called under this log's lock, so batches leave in line order; the stage it returns completes when
 * the batch is published (the broker acknowledged it). Only lines of published batches count in
 * {@link #awaitPublished}: that is the {@code log_line_count} build.completed reports.
 */
public class BuildLog implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BuildLog.class);

    private final String deploymentId;
    private final int batchSize;
    private final Function<List<BuildLogs.Line>, ? extends CompletionStage<?>> sink;
    private final List<BuildLogs.Line> pending = new ArrayList<>();
    /** One stage per batch handed to the sink; each completes normally once its batch is counted or given up. */
    private final List<CompletableFuture<Void>> inFlight = new ArrayList<>();
    private final AtomicLong published = new AtomicLong();
    private long number;
    private boolean closed;
    private ScheduledFuture<?> ticker;

    public BuildLog(String deploymentId, int batchSize, Function<List<BuildLogs.Line>, ? extends CompletionStage<?>> sink) {
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
        if (closed) {
            // Nothing flushes after close, so a number given now would name a line nobody ever sees.
            LOG.warnf("build %s: log line after the log was closed, not published: %s", deploymentId, text);
            return;
        }
        pending.add(new BuildLogs.Line(++number, Instant.now().truncatedTo(ChronoUnit.MICROS), level, text));
        if (pending.size() >= batchSize) {
            flush();
        }
    }

    /** Hands the pending lines to the sink; a failing sink loses the batch (it is not counted), never the build. */
    public synchronized void flush() {
        if (pending.isEmpty()) {
            return;
        }
        List<BuildLogs.Line> batch = List.copyOf(pending);
        pending.clear();
        CompletableFuture<?> sent;
        try {
            sent = sink.apply(batch).toCompletableFuture();
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        // Counted in the stage awaitPublished waits for, so a count read after it includes this batch.
        inFlight.add(sent.handle((ignored, failure) -> {
            if (failure == null) {
                published.addAndGet(batch.size());
            } else {
                LOG.warnf("build %s: %d log lines could not be published: %s", deploymentId, batch.size(),
                        failure.toString());
            }
            return null;
        }));
    }

    /** Lines numbered so far, published or not. */
    public synchronized long lineCount() {
        return number;
    }

    /**
     * Waits up to {@code timeout} for every batch handed to the sink so far, then returns how many lines are in
     * batches that were published. A batch still unacknowledged at the timeout is not counted.
     */
    public long awaitPublished(Duration timeout) {
        CompletableFuture<?>[] batches;
        synchronized (this) {
            batches = inFlight.toArray(CompletableFuture[]::new);
        }
        try {
            CompletableFuture.allOf(batches).get(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            LOG.warnf("build %s: some build.logs batches were not acknowledged within %s; they are not counted",
                    deploymentId, timeout);
        } catch (ExecutionException e) {
            // The stages never fail (failures are handled above); kept for the checked signature.
            LOG.warnf("build %s: waiting for build.logs failed: %s", deploymentId, e.toString());
        }
        return published.get();
    }

    /** Stops the periodic flush and flushes what is left. */
    @Override
    public synchronized void close() {
        if (ticker != null) {
            ticker.cancel(false);
            ticker = null;
        }
        flush();
        closed = true;
    }
}
