package io.benchline.stations.app;

import io.benchline.common.api.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * Bounds how many agent-channel reads use the database at once. When a fan-out wakes thousands of held requests,
 * their reads would otherwise fill the connection pool's queue ahead of the fan-out's own next chunk and of the
 * Kafka handlers; with this bound the pool always has room for them, and the agents are told in turn.
 *
 * <p>Written here rather than taken from SmallRye Fault Tolerance's bulkhead: a queued read must resume on its own
 * request's Vert.x context (Hibernate Reactive keeps its session there), not on the one that released a permit.
 */
@ApplicationScoped
public class AgentReadLimiter {
    private final int permits;
    private final int maxWaiting;
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    private int inUse;

    public AgentReadLimiter(DispatcherConfig config) {
        this.permits = config.agentMaxConcurrentReads();
        this.maxWaiting = config.agentMaxQueuedReads();
    }

    private record Waiter(Context context, Runnable start) {
    }

    /** Runs the read when a permit is free (on the caller's context); 503 when too many wait already. */
    public <T> Uni<T> run(Supplier<Uni<T>> read) {
        return Uni.createFrom().emitter(emitter -> {
            Runnable start = () -> read.get().onTermination().invoke(this::release)
                    .subscribe().with(emitter::complete, emitter::fail);
            Waiter waiter;
            synchronized (this) {
                if (inUse < permits) {
                    inUse++;
                    waiter = null;
                } else if (waiting.size() >= maxWaiting) {
                    emitter.fail(ProblemException.unavailable("too many agents are reading at once; retry shortly"));
                    return;
                } else {
                    waiter = new Waiter(Vertx.currentContext(), start);
                    waiting.add(waiter);
                }
            }
            if (waiter == null) {
                start.run();
            } else {
                // A request that goes away while it waits gives up its place.
                emitter.onTermination(() -> remove(waiter));
            }
        });
    }

    private void remove(Waiter waiter) {
        synchronized (this) {
            waiting.remove(waiter);
        }
    }

    private void release() {
        Waiter next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                inUse--;
                return;
            }
        }
        // The permit passes to the next waiter, which starts on its own context.
        Waiter w = next;
        if (w.context() == null) {
            w.start().run();
        } else {
            w.context().runOnContext(v -> w.start().run());
        }
    }

    /** Reads waiting for a permit now. */
    public synchronized int queued() {
        return waiting.size();
    }
}
