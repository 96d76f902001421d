package io.benchline.builds.app;

import java.time.Duration;

/** The build's time budget; long steps check it so a build ends as failed instead of hanging. */
public final class Deadline {
    private final Duration budget;
    private final long endsAtNanos;

    public Deadline(Duration budget) {
        this.budget = budget;
        this.endsAtNanos = System.nanoTime() + budget.toNanos();
    }

    public boolean expired() {
        return System.nanoTime() - endsAtNanos >= 0;
    }

    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, endsAtNanos - System.nanoTime()));
    }

    /** Throws the timeout failure when the budget is spent. */
    public void check() {
        if (expired()) {
            throw timedOut();
        }
    }

    public BuildFailure timedOut() {
        return new BuildFailure("build timed out after " + describe(budget) + " (benchline.builds.timeout)");
    }

    static String describe(Duration d) {
        if (d.toMillis() < 1000) {
            return d.toMillis() + "ms";
        }
        return d.toSeconds() % 60 == 0 && d.toMinutes() > 0 ? d.toMinutes() + "m" : d.toSeconds() + "s";
    }
}
