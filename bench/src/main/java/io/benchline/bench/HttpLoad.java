package io.benchline.bench;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * The bench's load generator: a Vert.x HTTP/1.1 client with a connection pool of the given size, driven
 * open-loop (a fixed offered rate; latency counted from when each request was due, so queueing shows) or
 * closed-loop (a fixed number of requests in flight, as fast as they complete).
 */
public final class HttpLoad implements AutoCloseable {
    public record Request(HttpMethod method, int port, String uri, MultiMap headers, Buffer body) {
        public static Request get(int port, String uri, MultiMap headers) {
            return new Request(HttpMethod.GET, port, uri, headers, null);
        }
    }

    public record Response(int status, MultiMap headers, Buffer body) {
    }

    /** What one load run did. {@code seconds}: from the first request due to the last answer. */
    public record Result(Latencies latencies, long sent, long expected, long unexpected, long failed,
            long unfinished, Map<Integer, Long> statuses, double seconds, String firstError) {
        public double rate() {
            return seconds <= 0 ? 0 : expected / seconds;
        }

        /** "12 answered 500, 3 failed (timeout)" or "" when everything answered as expected. */
        public String problems() {
            StringBuilder b = new StringBuilder();
            if (unexpected > 0) {
                b.append(unexpected).append(" unexpected statuses ").append(statuses).append("; ");
            }
            if (failed > 0) {
                b.append(failed).append(" failed (").append(firstError).append("); ");
            }
            if (unfinished > 0) {
                b.append(unfinished).append(" unanswered at the end; ");
            }
            return b.toString();
        }
    }

    private final Vertx vertx;
    private final HttpClient client;

    public HttpLoad(int poolSize) {
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(2)
                .setBlockedThreadCheckInterval(60_000));
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                        .setConnectTimeout(10_000).setMaxInitialLineLength(8192),
                new PoolOptions().setHttp1MaxSize(poolSize).setMaxWaitQueueSize(-1));
    }

    public Vertx vertx() {
        return vertx;
    }

    /** One request; the future fails on a connection error or after {@code idleTimeoutMillis} without bytes. */
    public Future<Response> send(Request r, long idleTimeoutMillis) {
        RequestOptions options = new RequestOptions().setMethod(r.method()).setHost("127.0.0.1").setPort(r.port())
                .setURI(r.uri()).setIdleTimeout(idleTimeoutMillis);
        if (r.headers() != null) {
            options.setHeaders(r.headers());
        }
        return client.request(options)
                .compose(req -> r.body() == null ? req.send() : req.send(r.body()))
                .compose(resp -> resp.body().map(body -> new Response(resp.statusCode(), resp.headers(), body)));
    }

    /** Offers {@code rate} requests a second for {@code duration}, then waits up to {@code drain} for the answers. */
    public Result openLoop(Supplier<Request> next, IntPredicate expected, int rate, Duration duration, Duration drain) {
        long total = Math.max(1, rate * duration.toMillis() / 1000);
        Run run = new Run(expected);
        long start = System.nanoTime() + 20_000_000L;
        double interval = 1e9 / rate;
        long[] sent = {0};
        vertx.setPeriodic(1, id -> {
            long now = System.nanoTime();
            while (sent[0] < total && start + (long) (sent[0] * interval) <= now) {
                long due = start + (long) (sent[0] * interval);
                sent[0]++;
                run.sent.incrementAndGet();
                send(next.get(), 60_000).onComplete(ar -> {
                    run.record(due, ar.succeeded() ? ar.result().status() : -1, ar.cause());
                    if (run.done.incrementAndGet() == total) {
                        run.finished.complete(null);
                    }
                });
            }
            if (sent[0] >= total) {
                vertx.cancelTimer(id);
            }
        });
        return run.await(start, duration.plus(drain));
    }

    /** Keeps {@code concurrency} requests in flight for {@code duration}. */
    public Result closedLoop(Supplier<Request> next, IntPredicate expected, int concurrency, Duration duration) {
        return closedLoopCalls(() -> send(next.get(), 60_000), expected, concurrency, duration);
    }

    /**
     * Keeps {@code concurrency} calls in flight for {@code duration}. A call is anything that ends in one response:
     * a request, or several sent at once and answered as one (a page's API calls); a call that fails counts as failed.
     */
    public Result closedLoopCalls(Supplier<Future<Response>> call, IntPredicate expected, int concurrency,
            Duration duration) {
        Run run = new Run(expected);
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        AtomicLong loops = new AtomicLong(concurrency);
        for (int i = 0; i < concurrency; i++) {
            vertx.runOnContext(v -> loop(call, run, end, loops));
        }
        return run.await(start, duration.plus(Duration.ofSeconds(60)));
    }

    /** {@code count} requests one after another (one in flight). */
    public Result sequential(Supplier<Request> next, IntPredicate expected, int count) {
        return sequentialCalls(() -> send(next.get(), 60_000), expected, count);
    }

    /** {@code count} calls (see {@link #closedLoopCalls}) one after another. */
    public Result sequentialCalls(Supplier<Future<Response>> call, IntPredicate expected, int count) {
        Run run = new Run(expected);
        long start = System.nanoTime();
        vertx.runOnContext(v -> step(call, run, count));
        return run.await(start, Duration.ofMinutes(10));
    }

    private void step(Supplier<Future<Response>> call, Run run, int remaining) {
        if (remaining == 0) {
            run.finished.complete(null);
            return;
        }
        long due = System.nanoTime();
        run.sent.incrementAndGet();
        call.get().onComplete(ar -> {
            run.record(due, ar.succeeded() ? ar.result().status() : -1, ar.cause());
            run.done.incrementAndGet();
            step(call, run, remaining - 1);
        });
    }

    private void loop(Supplier<Future<Response>> call, Run run, long end, AtomicLong loops) {
        long due = System.nanoTime();
        if (due >= end) {
            if (loops.decrementAndGet() == 0) {
                run.finished.complete(null);
            }
            return;
        }
        run.sent.incrementAndGet();
        call.get().onComplete(ar -> {
            run.record(due, ar.succeeded() ? ar.result().status() : -1, ar.cause());
            run.done.incrementAndGet();
            loop(call, run, end, loops);
        });
    }

    private static final class Run {
        final IntPredicate expectedStatus;
        final Latencies latencies = new Latencies();
        final AtomicLong sent = new AtomicLong();
        final AtomicLong done = new AtomicLong();
        final AtomicLong expected = new AtomicLong();
        final AtomicLong unexpected = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong lastAnswer = new AtomicLong();
        final Map<Integer, Long> statuses = new TreeMap<>();
        final CompletableFuture<Void> finished = new CompletableFuture<>();
        volatile String firstError;

        Run(IntPredicate expectedStatus) {
            this.expectedStatus = expectedStatus;
        }

        void record(long due, int status, Throwable error) {
            long now = System.nanoTime();
            lastAnswer.accumulateAndGet(now, Math::max);
            if (status < 0) {
                failed.incrementAndGet();
                if (firstError == null) {
                    firstError = String.valueOf(error);
                }
                return;
            }
            synchronized (statuses) {
                statuses.merge(status, 1L, Long::sum);
            }
            if (expectedStatus.test(status)) {
                expected.incrementAndGet();
                latencies.recordNanos(now - due);
            } else {
                unexpected.incrementAndGet();
            }
        }

        Result await(long start, Duration max) {
            try {
                finished.get(max.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // reported as unfinished
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            long last = lastAnswer.get();
            double seconds = last == 0 ? 0 : (last - start) / 1e9;
            Map<Integer, Long> copy;
            synchronized (statuses) {
                copy = new TreeMap<>(statuses);
            }
            return new Result(latencies, sent.get(), expected.get(), unexpected.get(), failed.get(),
                    sent.get() - done.get(), copy, seconds, firstError);
        }
    }

    @Override
    public void close() {
        try {
            client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // closing anyway
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // closing anyway
        }
    }
}
