package io.benchline.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How the long-running commands wait and learn that they should stop: the back-off of a retry, the time between
 * heartbeats, and Ctrl-C / SIGTERM (the shutdown hook calls {@link #stop()}). Tests pass their own, so that nothing
 * sleeps and the test decides when to stop.
 */
public interface Pause {
    /** Waits {@code duration}, less when a stop is requested; answers whether one was. */
    boolean sleep(Duration duration);

    /** Blocks until a stop is requested. */
    void awaitStop() throws InterruptedException;

    /** Ends every wait, now and later. */
    void stop();

    boolean stopped();

    /** Real time, stopped by {@link #stop()}. */
    static Pause system() {
        return new Stoppable();
    }

    /** Real waits on a latch that {@link #stop()} opens. */
    class Stoppable implements Pause {
        private final CountDownLatch stop = new CountDownLatch(1);

        @Override
        public boolean sleep(Duration duration) {
            try {
                return stop.await(duration.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }

        @Override
        public void awaitStop() throws InterruptedException {
            stop.await();
        }

        @Override
        public void stop() {
            stop.countDown();
        }

        @Override
        public boolean stopped() {
            return stop.getCount() == 0;
        }
    }
}
