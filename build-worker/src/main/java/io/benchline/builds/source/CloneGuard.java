package io.benchline.builds.source;

import io.benchline.builds.app.Deadline;
import org.eclipse.jgit.lib.ProgressMonitor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Cancels a clone that outlives the build's deadline or grows past the size limit. JGit asks
 * {@link #isCancelled()} as objects arrive; the directory is measured at most every 200 ms.
 */
final class CloneGuard implements ProgressMonitor {
    private final Deadline deadline;
    private final Path directory;
    private final long maxBytes;
    private long nextMeasureNanos;
    private volatile String reason;

    CloneGuard(Deadline deadline, Path directory, long maxBytes) {
        this.deadline = deadline;
        this.directory = directory;
        this.maxBytes = maxBytes;
    }

    /** Why the clone was cancelled, or null. */
    String reason() {
        return reason;
    }

    @Override
    public boolean isCancelled() {
        if (reason != null) {
            return true;
        }
        if (deadline.expired()) {
            reason = deadline.timedOut().getMessage();
            return true;
        }
        long now = System.nanoTime();
        if (now - nextMeasureNanos >= 0) {
            nextMeasureNanos = now + 200_000_000L;
            long size = sizeOf(directory);
            if (size > maxBytes) {
                reason = "repository exceeds the size limit of " + maxBytes
                        + " bytes (benchline.build.max-repository-size)";
                return true;
            }
        }
        return false;
    }

    static long sizeOf(Path directory) {
        if (!Files.exists(directory)) {
            return 0;
        }
        AtomicLong total = new AtomicLong();
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.forEach(p -> {
                try {
                    BasicFileAttributes attrs = Files.readAttributes(p, BasicFileAttributes.class);
                    if (attrs.isRegularFile()) {
                        total.addAndGet(attrs.size());
                    }
                } catch (IOException ignored) {
                    // A pack's temporary file can vanish while we walk; it is counted once it lands.
                }
            });
        } catch (IOException | UncheckedIOException e) {
            return total.get();
        }
        return total.get();
    }

    @Override
    public void start(int totalTasks) {
    }

    @Override
    public void beginTask(String title, int totalWork) {
    }

    @Override
    public void update(int completed) {
    }

    @Override
    public void endTask() {
    }

    @Override
    public void showDuration(boolean enabled) {
    }
}
