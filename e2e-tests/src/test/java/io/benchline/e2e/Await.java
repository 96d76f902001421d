package io.benchline.e2e;

import java.time.Duration;

/** Polls a condition until it gives a value; fails with the last error seen when time runs out. */
final class Await {
    interface Probe<T> {
        /** The value once the condition holds, else null. */
        T get() throws Exception;
    }

    private Await() {
    }

    static <T> T until(String what, Duration timeout, Probe<T> probe) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Throwable last = null;
        while (System.nanoTime() < deadline) {
            try {
                T value = probe.get();
                if (value != null) {
                    return value;
                }
            } catch (AssertionError | Exception e) {
                last = e;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting until " + what
                + (last == null ? "" : "; last error: " + last), last);
    }
}
