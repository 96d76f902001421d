package io.benchline.stations.app;

import io.benchline.common.api.ProblemException;
import io.benchline.stations.app.AgentService.Snapshot;
import io.benchline.stations.store.AgentSnapshotQuery.AssignedPointer;
import io.benchline.stations.store.AgentSnapshotQuery.OpenRunRequest;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;

/** The agent channel's long-poll: an ETag of a station's assignments, and the wait for it to change. */
@ApplicationScoped
public class LongPoll {
    private final AgentService agents;
    private final AgentWakeups wakeups;
    private final AgentReadLimiter limiter;
    private final DispatcherConfig config;

    public LongPoll(AgentService agents, AgentWakeups wakeups, AgentReadLimiter limiter, DispatcherConfig config) {
        this.agents = agents;
        this.wakeups = wakeups;
        this.limiter = limiter;
        this.config = config;
    }

    /** The station's state, read within the agent channel's bound on concurrent reads. */
    public Uni<Snapshot> snapshot(String authorization) {
        return limiter.run(() -> agents.snapshot(authorization));
    }

    /** The {@code wait} query parameter: whole seconds, capped at {@code long-poll-max-wait}; absent means 0. */
    public Duration holdFor(String wait) {
        if (wait == null || wait.isBlank()) {
            return Duration.ZERO;
        }
        long seconds;
        try {
            seconds = Long.parseLong(wait.strip());
        } catch (NumberFormatException e) {
            seconds = -1;
        }
        if (seconds < 0) {
            throw ProblemException.invalid("wait", "must be a whole number of seconds, at least 0 (held at most "
                    + config.longPollMaxWait().toSeconds() + ")");
        }
        Duration requested = Duration.ofSeconds(Math.min(seconds, config.longPollMaxWait().toSeconds()));
        return requested;
    }

    /**
     * The station's state as soon as its ETag differs from {@code ifNoneMatch}, or null once {@code hold} passed
     * without a change. The watch opens before the second read, so a change committed in between still wakes it.
     */
    public Uni<Snapshot> await(String authorization, String ifNoneMatch, Duration hold) {
        long deadline = System.nanoTime() + hold.toNanos();
        return snapshot(authorization).chain(first -> {
            if (!matches(ifNoneMatch, etag(first))) {
                return Uni.createFrom().item(first);
            }
            AgentWakeups.Watch watch = wakeups.watch(first.stationId());
            return waitForChange(authorization, ifNoneMatch, watch, deadline).onTermination().invoke(watch::close);
        });
    }

    private Uni<Snapshot> waitForChange(String authorization, String ifNoneMatch, AgentWakeups.Watch watch,
            long deadline) {
        return snapshot(authorization).chain(snapshot -> awaitWake(authorization, ifNoneMatch, watch, deadline, snapshot));
    }

    /** Waits for the next wake-up unless this state already differs from the agent's; null once the hold is over. */
    private Uni<Snapshot> awaitWake(String authorization, String ifNoneMatch, AgentWakeups.Watch watch, long deadline,
            Snapshot snapshot) {
        if (!matches(ifNoneMatch, etag(snapshot))) {
            return Uni.createFrom().item(snapshot);
        }
        long remaining = deadline - System.nanoTime();
        if (remaining < 1_000_000) {
            return Uni.createFrom().nullItem(); // less than the timer's 1 ms resolution is left
        }
        return watch.next(Duration.ofNanos(remaining)).chain(wake -> {
            if (!wake.changed()) {
                return Uni.createFrom().nullItem();
            }
            // Woken with the state read for the whole notification, or without it (then read it here).
            return wake.snapshot() == null ? waitForChange(authorization, ifNoneMatch, watch, deadline)
                    : awaitWake(authorization, ifNoneMatch, watch, deadline, wake.snapshot());
        });
    }

    /**
     * A digest of what the agent acts on: each assigned pointer (procedure, deployment, version, the procedure's
     * station settings) and open run requests.
     */
    public static String etag(Snapshot snapshot) {
        StringBuilder state = new StringBuilder();
        snapshot.pointers().stream().sorted(Comparator.comparing(AssignedPointer::procedureId))
                .forEach(p -> state.append("p ").append(p.procedureId()).append(' ').append(p.deploymentId())
                        .append(' ').append(p.pointerVersion()).append(' ').append(p.idleWindowSeconds())
                        .append(' ').append(p.maxDeferralSeconds()).append('\n'));
        snapshot.runRequests().stream().sorted(Comparator.comparing(OpenRunRequest::id))
                .forEach(r -> state.append("r ").append(r.id()).append('\n'));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(state.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether an {@code If-None-Match} header names this ETag (also weak, or in a list, or {@code *}). */
    public static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = unquote(candidate);
            if (tag.equals("*") || tag.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    /** {@code W/"abc"} or {@code "abc"} → {@code abc}. */
    public static String unquote(String tag) {
        String t = tag.strip();
        if (t.startsWith("W/")) {
            t = t.substring(2);
        }
        if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
            t = t.substring(1, t.length() - 1);
        }
        return t;
    }
}
