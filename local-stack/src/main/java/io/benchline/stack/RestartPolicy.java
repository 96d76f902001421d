package io.benchline.stack;

import java.time.Duration;

/**
 * How {@link ProcessSupervisor} restarts a supervised child that exited on its own: after {@code firstDelay},
 * doubling per restart up to {@code maxDelay}; at most {@code maxRestarts} restarts within {@code window}, and
 * the exit after those is the last (the child is given up). Exits older than the window are forgotten, so a
 * child that ran well for a while starts again from {@code firstDelay}. {@code maxRestarts} 0: never restart.
 */
public record RestartPolicy(Duration firstDelay, Duration maxDelay, int maxRestarts, Duration window) {

    public RestartPolicy {
        if (firstDelay.isNegative() || maxDelay.compareTo(firstDelay) < 0 || maxRestarts < 0 || window.isNegative()
                || window.isZero()) {
            throw new IllegalArgumentException("restart policy needs 0 <= first delay <= max delay, restarts >= 0"
                    + " and a positive window: " + firstDelay + ", " + maxDelay + ", " + maxRestarts + ", " + window);
        }
    }

    /** 1 s, 2 s, 4 s … at most 30 s; at most 5 restarts within 5 minutes. */
    public static RestartPolicy defaults() {
        return new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), 5, Duration.ofMinutes(5));
    }

    /** The wait before restart number {@code restart} (from 1) of the current window. */
    public Duration delay(int restart) {
        Duration delay = firstDelay;
        for (int i = 1; i < restart && delay.compareTo(maxDelay) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
    }
}
