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
        return until(what, timeout, probe, () -> "");
    }

    /** As {@link #until(String, Duration, Probe)}; {@code state} describes what was seen last when time runs out. */
    static <T> T until(String what, Duration timeout, Probe<T> probe, java.util.function.Supplier<String> state)
            throws InterruptedException {
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
        String seen = state.get();
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting until " + what
                + (seen.isEmpty() ? "" : "; " + seen) + (last == null ? "" : "; last error: " + last), last);
    }
}
