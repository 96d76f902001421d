package io.benchline.dashboard.web;

import io.benchline.dashboard.api.ApiProblem;
import io.benchline.dashboard.api.BenchlineApi;
import io.benchline.dashboard.session.Session;
import io.benchline.dashboard.session.SessionCodec;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Flow;

/**
 * {@code GET /deployments/{id}/logs/stream}: the API's live build log (server-sent events) relayed byte for byte to
 * the browser's {@code EventSource}, so its {@code id:} lines, and the {@code Last-Event-ID} of a reconnect, work
 * end to end. A refusal of the API becomes one {@code problem} event (title, detail), so the page can say why.
 * Bytes go on only as fast as the browser takes them.
 */
@ApplicationScoped
public class LogRelay {
    private static final Logger LOG = Logger.getLogger(LogRelay.class);
    private static final int MAX_PROBLEM_BYTES = 64 * 1024;

    private final BenchlineApi api;
    private final SessionCodec codec;

    public LogRelay(BenchlineApi api, SessionCodec codec) {
        this.api = api;
        this.codec = codec;
    }

    void routes(@Observes Router router) {
        router.get("/deployments/:id/logs/stream").handler(this::relay);
    }

    private void relay(RoutingContext rc) {
        Optional<Session> session = EventStreams.start(rc, codec);
        HttpServerResponse response = rc.response();
        if (session.isEmpty()) {
            response.end(problem("Not signed in", "sign in again to follow the log"));
            return;
        }
        String after = rc.request().getParam("after");
        String path = "/v2/deployments/" + BenchlineApi.segment(rc.pathParam("id")) + "/logs"
                + (after != null && after.matches("\\d{1,10}") ? "?after=" + after : "");
        Context context = Vertx.currentContext();
        api.stream(session.get().apiKey(), path, rc.request().getHeader("Last-Event-ID"))
                .whenComplete((answer, failure) -> context.runOnContext(v -> {
                    if (failure != null) {
                        response.end(problem("Benchline API unreachable", BenchlineApi.describe(failure)));
                    } else {
                        answer.body().subscribe(new Pipe(answer, response, context));
                    }
                }));
    }

    private String problem(String title, String detail) {
        return "event: problem\ndata: " + new JsonObject().put("title", title).put("detail", detail).encode()
                + "\n\n";
    }

    /** Writes what the API sends; asks for the next chunk once the browser's connection has room. */
    private final class Pipe implements Flow.Subscriber<List<ByteBuffer>> {
        private final HttpResponse<?> answer;
        private final HttpServerResponse response;
        private final Context context;
        private final boolean ok;
        private final ByteArrayOutputStream refusal = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        Pipe(HttpResponse<?> answer, HttpServerResponse response, Context context) {
            this.answer = answer;
            this.response = response;
            this.context = context;
            this.ok = answer.statusCode() == 200;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            context.runOnContext(v -> {
                if (ok) {
                    response.setChunked(true);
                    response.closeHandler(closed -> s.cancel());
                }
                s.request(1);
            });
        }

        @Override
        public void onNext(List<ByteBuffer> chunks) {
            context.runOnContext(v -> {
                if (!ok) {
                    chunks.forEach(b -> {
                        byte[] bytes = new byte[b.remaining()];
                        b.get(bytes);
                        if (refusal.size() < MAX_PROBLEM_BYTES) {
                            refusal.writeBytes(bytes);
                        }
                    });
                    subscription.request(1);
                    return;
                }
                if (response.closed()) {
                    subscription.cancel();
                    return;
                }
                chunks.forEach(b -> {
                    byte[] bytes = new byte[b.remaining()];
                    b.get(bytes);
                    response.write(Buffer.buffer(bytes));
                });
                if (response.writeQueueFull()) {
                    response.drainHandler(drained -> subscription.request(1));
                } else {
                    subscription.request(1);
                }
            });
        }

        @Override
        public void onError(Throwable failure) {
            context.runOnContext(v -> {
                LOG.debugf("log relay ended: %s", failure.toString());
                if (!response.ended() && !response.closed()) {
                    response.end(); // the browser's EventSource reconnects with its Last-Event-ID
                }
            });
        }

        @Override
        public void onComplete() {
            context.runOnContext(v -> {
                if (response.ended() || response.closed()) {
                    return;
                }
                if (ok) {
                    response.end();
                } else {
                    ApiProblem p = api.problemOf(answer.statusCode(), refusal.toByteArray());
                    response.end(problem(p.title(), p.detail()));
                }
            });
        }
    }
}
