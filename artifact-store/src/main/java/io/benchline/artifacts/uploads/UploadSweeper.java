package io.benchline.artifacts.uploads;

import io.benchline.artifacts.storage.ObjectStorage;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.concurrent.TimeUnit;

/**
 * Removes uploads older than {@code benchline.uploads.ttl}: the object, then the row. A deployment built from one
 * keeps its artifact (content-addressed, stored separately); only a re-run after that needs the upload again, and
 * fails saying it expired.
 */
@ApplicationScoped
public class UploadSweeper {
    private static final Logger LOG = Logger.getLogger(UploadSweeper.class);
    private final UploadStore store;
    private final ObjectStorage storage;
    private final UploadsConfig config;

    public UploadSweeper(UploadStore store, ObjectStorage storage, UploadsConfig config) {
        this.store = store;
        this.storage = storage;
        this.config = config;
    }

    @Scheduled(every = "${benchline.uploads.sweep-interval:5m}", delay = 30, delayUnit = TimeUnit.SECONDS,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        if (!config.sweepEnabled()) {
            return;
        }
        try {
            pass();
        } catch (RuntimeException e) {
            LOG.warnf("removing expired uploads failed, next pass retries: %s", e.toString());
        }
    }

    /** Removes expired uploads in batches until none is left; returns how many. */
    public int pass() {
        int total = 0;
        int removed;
        do {
            removed = store.removeExpired(config.sweepBatchSize(), upload -> storage.delete(upload.objectKey()));
            total += removed;
        } while (removed == config.sweepBatchSize());
        if (total > 0) {
            LOG.infof("%d expired uploads removed", total);
        }
        return total;
    }
}
