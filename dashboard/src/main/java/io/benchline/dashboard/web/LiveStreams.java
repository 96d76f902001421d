package io.benchline.dashboard.web;

import io.benchline.dashboard.DashboardConfig;
import io.benchline.dashboard.api.ApiProblem;
import io.benchline.dashboard.api.BenchlineApi;
import io.benchline.dashboard.session.Session;
import io.benchline.dashboard.session.SessionCodec;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live parts of pages, as server-sent events: {@code GET /procedures/{id}/live} (the rows of the first page of
 * deployments, with the page's filters) and {@code GET /rollouts/{id}/live} (a rollout's stages, verdict and charts).
 * An open stream follows its page's procedure: when an event on the services' topics names it
 * ({@link ServiceEvents}), the stream re-reads its one API page with the viewer's key (at most once per
 * {@code live-min-interval}, and once more {@code live-settle} later) and sends, as an event, the HTML of each part
 * that changed since it last sent it: the same fragment the page was rendered with, so a live row is exactly a
 * reloaded row. Without events it re-reads every {@code live-interval}, for changes no topic carries. A stream ends
 * after {@code live-lifetime} (the browser opens a new one) and when the API stops accepting the key.
 */
@ApplicationScoped
public class LiveStreams {
    private final BenchlineApi api;
    private final SessionCodec codec;
    private final DashboardConfig config;
    private final Vertx vertx;
    /** How long a browser waits before it opens a stream again (after an end, or when the dashboard is away). */
    private static final long RECONNECT_MS = 2000;
    /** Procedure id to the open streams that follow it. */
    private final Map<String, Set<Stream>> following = new ConcurrentHashMap<>();

    public LiveStreams(BenchlineApi api, SessionCodec codec, DashboardConfig config, Vertx vertx) {
        this.api = api;
        this.codec = codec;
        this.config = config;
        this.vertx = vertx;
    }

    /** One read of a page's parts: the procedure the page follows, and part id to its HTML, in page order. */
    record Read(String procedureId, LinkedHashMap<String, String> parts) {
    }

    /**
     * The parts of one page now. Called with the session, the viewer's user (for the forms' CSRF token and the
     * role's buttons) and the request.
     */
    interface Parts {
        CompletableFuture<Read> read(Session session, Views.User user, RoutingContext rc);
    }

    void routes(@Observes Router router, ProcedurePages procedures, RolloutPages rollouts) {
        router.get("/procedures/:id/live").handler(rc -> open(rc, "row", procedures::liveRows));
        router.get("/rollouts/:id/live").handler(rc -> open(rc, "part", rollouts::liveParts));
    }

    /** True while some stream is open: until then an event need not even be read. */
    boolean anyOpen() {
        return !following.isEmpty();
    }

    /** An event named this procedure: every stream that follows it reads its page again soon. */
    void changed(String procedureId) {
        Set<Stream> streams = following.get(procedureId);
        if (streams != null) {
            streams.forEach(s -> s.context.runOnContext(v -> s.wake()));
        }
    }

    /** How many streams follow a procedure now (for tests). */
    int followers(String procedureId) {
        Set<Stream> streams = following.get(procedureId);
        return streams == null ? 0 : streams.size();
    }

    private void open(RoutingContext rc, String event, Parts parts) {
        Optional<Session> session = EventStreams.start(rc, codec);
        HttpServerResponse response = rc.response();
        if (session.isEmpty()) {
            response.end(problem("Not signed in", "sign in again for live updates", true));
            return;
        }
        response.setChunked(true);
        response.write("retry: " + RECONNECT_MS + "\n\n");
        Stream stream = new Stream(rc, response, session.get(),
                Views.User.of(session.get().role(), codec.csrfToken(session.get())), event, parts,
                Vertx.currentContext());
        response.closeHandler(v -> stream.stop());
        response.endHandler(v -> stream.stop());
        stream.read();
    }

    private static String problem(String title, String detail, boolean last) {
        return "event: " + (last ? "end" : "problem") + "\ndata: "
                + new JsonObject().put("title", title).put("detail", detail).encode() + "\n\n";
    }

    /**
     * One open stream: what it last sent of each part, the procedure it follows, its next read, its end. Every field
     * is touched only on the stream's own context.
     */
    private final class Stream {
        private final RoutingContext rc;
        private final HttpServerResponse response;
        private final Session session;
        private final Views.User user;
        private final String event;
        private final Parts parts;
        private final Context context;
        private final Map<String, String> sent = new HashMap<>();
        private final long endsAt = System.nanoTime() + config.liveLifetime().toNanos();
        private String procedureId;
        private boolean failing;
        private boolean reading;
        /** An event came while a read was on its way: read again after it. */
        private boolean changedWhileReading;
        /** The read on its way (or the last) was caused by an event: read once more after {@code live-settle}. */
        private boolean settle;
        private long lastReadAt = System.nanoTime() - config.liveMinInterval().toNanos();
        private long timer = -1;
        private long timerDueAt;

        Stream(RoutingContext rc, HttpServerResponse response, Session session, Views.User user, String event,
                Parts parts, Context context) {
            this.rc = rc;
            this.response = response;
            this.session = session;
            this.user = user;
            this.event = event;
            this.parts = parts;
            this.context = context;
        }

        private boolean open() {
            return !response.closed() && !response.ended();
        }

        /** An event named the procedure: read now, or as soon as {@code live-min-interval} allows. */
        void wake() {
            if (!open()) {
                return;
            }
            if (reading) {
                changedWhileReading = true;
                return;
            }
            settle = true;
            long sinceLast = System.nanoTime() - lastReadAt;
            schedule(Math.max(0, config.liveMinInterval().toNanos() - sinceLast) / 1_000_000);
        }

        /** The next read in {@code delayMs}, unless one is due sooner already; never past the stream's end. */
        private void schedule(long delayMs) {
            long untilEnd = Math.max(0, (endsAt - System.nanoTime()) / 1_000_000);
            long delay = Math.min(delayMs, untilEnd);
            long dueAt = System.nanoTime() + delay * 1_000_000;
            if (timer != -1) {
                if (timerDueAt - dueAt <= 0) {
                    return;
                }
                vertx.cancelTimer(timer);
                timer = -1;
            }
            timerDueAt = dueAt;
            timer = vertx.setTimer(Math.max(1, delay), t -> {
                timer = -1;
                read();
            });
        }

        void read() {
            if (!open()) {
                stop();
                return;
            }
            if (System.nanoTime() - endsAt >= 0 || session.expiresAt().isBefore(Instant.now())) {
                response.end(); // the browser reconnects, through the session check again
                return;
            }
            reading = true;
            lastReadAt = System.nanoTime();
            CompletableFuture<Read> now;
            try {
                now = parts.read(session, user, rc);
            } catch (RuntimeException e) {
                now = CompletableFuture.failedFuture(e);
            }
            now.whenComplete((read, failure) -> context.runOnContext(v -> {
                reading = false;
                if (!open()) {
                    stop();
                    return;
                }
                if (failure != null) {
                    ApiProblem p = unwrap(failure);
                    if (p.status() == 401 || p.status() == 403 || p.status() == 404) {
                        response.end(problem(p.title(), p.detail(), true)); // no use asking again
                        return;
                    }
                    failing = true;
                    response.write(problem(p.title(), p.detail(), false));
                } else {
                    if (failing) {
                        failing = false;
                        response.write("event: ok\ndata: {}\n\n");
                    }
                    follow(read.procedureId());
                    send(read.parts());
                }
                next();
            }));
        }

        private void next() {
            if (changedWhileReading) {
                changedWhileReading = false;
                settle = true;
                schedule(config.liveMinInterval().toMillis());
            } else if (settle) {
                settle = false;
                schedule(Math.max(config.liveSettle().toMillis(), config.liveMinInterval().toMillis()));
            } else {
                schedule(config.liveInterval().toMillis());
            }
        }

        private void follow(String id) {
            if (id == null || id.isEmpty() || id.equals(procedureId)) {
                return;
            }
            unfollow();
            procedureId = id;
            following.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(this);
        }

        private void unfollow() {
            if (procedureId != null) {
                following.computeIfPresent(procedureId, (k, streams) -> {
                    streams.remove(this);
                    return streams.isEmpty() ? null : streams;
                });
                procedureId = null;
            }
        }

        /** The response is over (ended here or closed by the browser): no more reads, no more following. */
        void stop() {
            if (timer != -1) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
            unfollow();
        }

        private void send(LinkedHashMap<String, String> read) {
            StringBuilder out = new StringBuilder();
            read.forEach((id, html) -> {
                if (!html.equals(sent.put(id, html))) {
                    out.append("event: ").append(event).append("\ndata: ").append(id);
                    html.lines().forEach(line -> out.append("\ndata: ").append(line));
                    out.append("\n\n");
                }
            });
            if (!out.isEmpty()) {
                response.write(out.toString());
            }
        }
    }

    private static ApiProblem unwrap(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && !(cause instanceof ApiProblem)) {
            cause = cause.getCause();
        }
        return cause instanceof ApiProblem p ? p : ApiProblem.unreachable(BenchlineApi.describe(failure));
    }
}
