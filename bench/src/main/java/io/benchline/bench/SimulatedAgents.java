package io.benchline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.MultiMap;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Station agents as the push channel sees them, connected straight to station-dispatcher (not through the
 * gateway): each first asks {@code GET /agent/v1/assignments} without an etag, then long-polls with
 * {@code If-None-Match} and {@code wait}. "Told" is the first 200 whose assignments name the awaited deployment.
 * When the dispatcher answers a conditional request at once instead of holding it (the channel before the push
 * contract), the agents fall back to plain polling: a fixed number of requests in flight, cycling over the
 * agents not told yet.
 */
final class SimulatedAgents implements AutoCloseable {
    static final int WAIT_SECONDS = 30;
    private static final int CONNECT_CONCURRENCY = 200;
    private static final int POLLERS = 64;

    enum Mode { LONG_POLL, POLLING, NONE }

    private final int port;
    private final List<String> tokens;
    private final String awaited;
    private final HttpLoad http;
    private final String[] etags;
    private final long[] toldAt;
    private final int[] failures;
    private final AtomicInteger told = new AtomicInteger();
    private final AtomicLong lastTold = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicInteger outstanding = new AtomicInteger();
    private volatile String firstError;
    private volatile boolean stopped;
    private Mode mode;

    SimulatedAgents(int port, List<String> tokens, String awaited) {
        this.port = port;
        this.tokens = tokens;
        this.awaited = awaited;
        this.http = new HttpLoad(tokens.size() + 2 * POLLERS);
        this.etags = new String[tokens.size()];
        this.toldAt = new long[tokens.size()];
        this.failures = new int[tokens.size()];
    }

    /** Every agent's first, un-etagged GET; then whether the dispatcher holds a conditional request. */
    Mode connect() throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        CompletableFuture<Void> all = new CompletableFuture<>();
        int n = tokens.size();
        for (int w = 0; w < Math.min(CONNECT_CONCURRENCY, n); w++) {
            http.vertx().runOnContext(v -> firstGet(next, done, all));
        }
        all.get(10, TimeUnit.MINUTES);
        long t0 = System.nanoTime();
        HttpLoad.Response probe = http.send(request(0, 2, etags[0]), 30_000).toCompletionStage().toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        long held = (System.nanoTime() - t0) / 1_000_000;
        mode = etags[0] != null && (probe.status() == 304 || held >= 1_500) ? Mode.LONG_POLL : Mode.POLLING;
        return mode;
    }

    private void firstGet(AtomicInteger next, AtomicInteger done, CompletableFuture<Void> all) {
        int i = next.getAndIncrement();
        if (i >= tokens.size()) {
            return;
        }
        http.send(request(i, 0, null), 60_000).onComplete(ar -> {
            if (ar.succeeded() && ar.result().status() == 200) {
                etags[i] = ar.result().headers().get("ETag");
            } else {
                error(ar.succeeded() ? "first GET answered " + ar.result().status() : String.valueOf(ar.cause()));
            }
            if (done.incrementAndGet() == tokens.size()) {
                all.complete(null);
            }
            firstGet(next, done, all);
        });
    }

    /**
     * Long-poll mode: every agent holds a request open from now on, the agents joining at {@code joinRate} a
     * second (a fleet does not reconnect in the same millisecond). Returns once all were sent.
     */
    void hold(int joinRate) throws InterruptedException {
        int[] next = {0};
        int perTick = Math.max(1, joinRate / 100);
        http.vertx().setPeriodic(10, id -> {
            for (int k = 0; k < perTick && next[0] < tokens.size(); k++) {
                longPoll(next[0]++);
            }
            if (next[0] >= tokens.size()) {
                http.vertx().cancelTimer(id);
            }
        });
        long deadline = System.nanoTime() + Duration.ofSeconds(10 + tokens.size() / Math.max(1, joinRate)).toNanos();
        while (next[0] < tokens.size() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    /** Like an agent after a failed request: wait 1 s, doubling up to 16 s, with jitter. */
    private void retryLater(int i) {
        int attempt = Math.min(4, failures[i]++);
        long delay = (1000L << attempt) / 2 + java.util.concurrent.ThreadLocalRandom.current().nextLong((1000L << attempt) / 2 + 1);
        http.vertx().setTimer(delay, t -> longPoll(i));
    }

    private void longPoll(int i) {
        if (stopped) {
            return;
        }
        outstanding.incrementAndGet();
        http.send(request(i, WAIT_SECONDS, etags[i]), (WAIT_SECONDS + 30) * 1000L).onComplete(ar -> {
            outstanding.decrementAndGet();
            if (stopped) {
                return;
            }
            if (ar.failed()) {
                error(String.valueOf(ar.cause()));
                retryLater(i);
                return;
            }
            HttpLoad.Response r = ar.result();
            failures[i] = 0;
            if (r.status() == 200) {
                if (names(r)) {
                    markTold(i);
                    return;
                }
                etags[i] = r.headers().get("ETag");
            } else if (r.status() != 304) {
                error("long poll answered " + r.status());
                retryLater(i);
                return;
            }
            longPoll(i);
        });
    }

    /** Polling mode: {@value #POLLERS} requests in flight over the agents not told yet. */
    void poll() {
        AtomicInteger cursor = new AtomicInteger();
        for (int w = 0; w < POLLERS; w++) {
            http.vertx().runOnContext(v -> pollNext(cursor));
        }
    }

    private void pollNext(AtomicInteger cursor) {
        if (stopped || told.get() == tokens.size()) {
            return;
        }
        int i = -1;
        for (int tries = 0; tries < tokens.size(); tries++) {
            int c = Math.floorMod(cursor.getAndIncrement(), tokens.size());
            if (toldAt[c] == 0) {
                i = c;
                break;
            }
        }
        if (i < 0) {
            return;
        }
        int agent = i;
        http.send(request(agent, 0, null), 60_000).onComplete(ar -> {
            if (ar.succeeded() && ar.result().status() == 200) {
                if (names(ar.result())) {
                    markTold(agent);
                }
            } else {
                error(ar.succeeded() ? "poll answered " + ar.result().status() : String.valueOf(ar.cause()));
            }
            pollNext(cursor);
        });
    }

    private synchronized void markTold(int i) {
        if (toldAt[i] == 0) {
            long now = System.nanoTime();
            toldAt[i] = now;
            lastTold.accumulateAndGet(now, Math::max);
            told.incrementAndGet();
        }
    }

    private boolean names(HttpLoad.Response r) {
        try {
            JsonNode body = BenchStack.JSON.readTree(r.body().getBytes());
            for (JsonNode a : body.path("assignments")) {
                if (awaited.equals(a.path("deployment_id").asText())) {
                    return true;
                }
            }
            return false;
        } catch (java.io.IOException e) {
            error("unreadable assignments: " + e.getMessage());
            return false;
        }
    }

    private HttpLoad.Request request(int i, int wait, String etag) {
        MultiMap h = MultiMap.caseInsensitiveMultiMap().add("Authorization", "Bearer " + tokens.get(i));
        if (etag != null) {
            h.add("If-None-Match", etag);
        }
        return HttpLoad.Request.get(port, "/agent/v1/assignments" + (wait > 0 ? "?wait=" + wait : ""), h);
    }

    private void error(String what) {
        errors.incrementAndGet();
        if (firstError == null) {
            firstError = what;
        }
    }

    int size() {
        return tokens.size();
    }

    int told() {
        return told.get();
    }

    long lastToldNanos() {
        return lastTold.get();
    }

    long errors() {
        return errors.get();
    }

    String firstError() {
        return firstError;
    }

    Mode mode() {
        return mode;
    }

    @Override
    public void close() {
        stopped = true;
        http.close();
    }
}
