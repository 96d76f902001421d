package io.benchline.stack;

import java.time.Duration;
import java.util.function.BooleanSupplier;

final class Waits {
    private Waits() {
    }

    /** Polls until the condition holds; fails with the message and the log to look at. */
    static void until(BooleanSupplier condition, Duration timeout, String what, Process process, java.nio.file.Path log) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            if (process != null && !process.isAlive()) {
                throw new StackException(what + " exited with code " + process.exitValue() + "; see " + log);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StackException("interrupted while waiting for " + what);
            }
        }
        throw new StackException(what + " was not ready after " + timeout.toSeconds() + " s" + (log != null ? "; see " + log : ""));
    }
}
