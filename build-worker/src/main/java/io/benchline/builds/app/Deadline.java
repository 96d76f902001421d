package io.benchline.builds.app;

import java.time.Duration;

/** A time budget; long steps check it so a build ends as failed instead of hanging. */
public final class Deadline {
    private final String what;
    private final Duration budget;
    private final String configKey;
    private final long endsAtNanos;

    private Deadline(String what, Duration budget, String configKey, long endsAtNanos) {
        this.what = what;
        this.budget = budget;
        this.configKey = configKey;
        this.endsAtNanos = endsAtNanos;
    }

    /** The whole build's budget ({@code benchline.build.timeout}). */
    public static Deadline forBuild(Duration budget) {
        return new Deadline("build", budget, "benchline.build.timeout", System.nanoTime() + budget.toNanos());
    }

    /** A step's own budget, never later than this deadline; the failure names whichever ends first. */
    public Deadline step(String step, Duration stepBudget, String stepConfigKey) {
        long stepEnd = System.nanoTime() + stepBudget.toNanos();
        if (stepEnd - endsAtNanos >= 0) {
            return this;
        }
        return new Deadline(step, stepBudget, stepConfigKey, stepEnd);
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
        return new BuildFailure(what + " timed out after " + describe(budget) + " (" + configKey + ")");
    }

    static String describe(Duration d) {
        if (d.toMillis() < 1000) {
            return d.toMillis() + "ms";
        }
        return d.toSeconds() % 60 == 0 && d.toMinutes() > 0 ? d.toMinutes() + "m" : d.toSeconds() + "s";
    }
}
