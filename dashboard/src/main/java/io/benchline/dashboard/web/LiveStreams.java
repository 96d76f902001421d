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
import java.util.concurrent.CompletableFuture;

/**
 * The live parts of pages, as server-sent events: {@code GET /procedures/{id}/live} (the rows of the first page of
 * deployments, with the page's filters) and {@code GET /rollouts/{id}/live} (a rollout's stages, verdict and charts).
 * The API has no stream of status changes, so each open stream re-reads its one API page every
 * {@code live-interval} with the viewer's key and sends, as an event, the HTML of each part that changed since it
 * last sent it: the same fragment the page was rendered with, so a live row is exactly a reloaded row. A stream ends
 * after {@code live-lifetime} (the browser opens a new one) and when the API stops accepting the key.
 */
@ApplicationScoped
public class LiveStreams {
    private final BenchlineApi api;
    private final SessionCodec codec;
    private final DashboardConfig config;
    private final Vertx vertx;

    public LiveStreams(BenchlineApi api, SessionCodec codec, DashboardConfig config, Vertx vertx) {
        this.api = api;
        this.codec = codec;
        this.config = config;
        this.vertx = vertx;
    }

    /**
     * The parts of one page now: part id to its HTML, in page order. Called with the session, the viewer's user (for
     * the forms' CSRF token and the role's buttons) and the request.
     */
    interface Parts {
        CompletableFuture<LinkedHashMap<String, String>> read(Session session, Views.User user, RoutingContext rc);
    }

    void routes(@Observes Router router, ProcedurePages procedures, RolloutPages rollouts) {
        router.get("/procedures/:id/live").handler(rc -> open(rc, "row", procedures::liveRows));
        router.get("/rollouts/:id/live").handler(rc -> open(rc, "part", rollouts::liveParts));
    }

    private void open(RoutingContext rc, String event, Parts parts) {
        Optional<Session> session = EventStreams.start(rc, codec);
        HttpServerResponse response = rc.response();
        if (session.isEmpty()) {
            response.end(problem("Not signed in", "sign in again for live updates", true));
            return;
        }
        response.setChunked(true);
        response.write("retry: " + config.liveInterval().toMillis() + "\n\n");
        new Stream(rc, response, session.get(), Views.User.of(session.get().role(), codec.csrfToken(session.get())),
                event, parts, Vertx.currentContext()).tick();
    }

    private static String problem(String title, String detail, boolean last) {
        return "event: " + (last ? "end" : "problem") + "\ndata: "
                + new JsonObject().put("title", title).put("detail", detail).encode() + "\n\n";
    }

    /** One open stream: what it last sent of each part, its timer, its end. */
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
        private boolean failing;

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

        void tick() {
            if (response.closed() || response.ended()) {
                return;
            }
            if (System.nanoTime() - endsAt > 0 || session.expiresAt().isBefore(Instant.now())) {
                response.end(); // the browser reconnects, through the session check again
                return;
            }
            CompletableFuture<LinkedHashMap<String, String>> now;
            try {
                now = parts.read(session, user, rc);
            } catch (RuntimeException e) {
                now = CompletableFuture.failedFuture(e);
            }
            now.whenComplete((read, failure) -> context.runOnContext(v -> {
                if (response.closed() || response.ended()) {
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
                    send(read);
                }
                vertx.setTimer(config.liveInterval().toMillis(), t -> tick());
            }));
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
