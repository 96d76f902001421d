package io.benchline.gateway;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;

/**
 * Refuses bodies over the limit: a declared Content-Length before any byte is sent upstream, a chunked body as soon
 * as it passes the limit (the upstream request is reset, and {@link ProblemAnswers} answers 413).
 */
final class BodyLimit implements ProxyInterceptor {
    static final String EXCEEDED = "benchline.body-limit-exceeded";

    private final long limit;

    BodyLimit(long limit) {
        this.limit = limit;
    }

    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
        ProxyRequest request = context.request();
        Body body = request.getBody();
        if (body == null) {
            return context.sendRequest();
        }
        if (body.length() > limit) {
            return Future.succeededFuture(tooLarge(context));
        }
        if (body.length() < 0) {
            request.setBody(Body.body(new Limited(body.stream(), limit, () -> context.set(EXCEEDED, true)), -1));
        }
        return context.sendRequest();
    }

    ProxyResponse tooLarge(ProxyContext context) {
        return Problems.answer(context, 413, "payload-too-large", "Payload too large",
                "request bodies are limited to " + limit + " bytes");
    }

    /** Passes chunks on until the limit, then fails the stream (which fails the pipe to the upstream). */
    private static final class Limited implements ReadStream<Buffer> {
        private final ReadStream<Buffer> source;
        private final long limit;
        private final Runnable onExceeded;
        private Handler<Throwable> exceptionHandler;
        private long seen;
        private boolean exceeded;

        Limited(ReadStream<Buffer> source, long limit, Runnable onExceeded) {
            this.source = source;
            this.limit = limit;
            this.onExceeded = onExceeded;
        }

        @Override
        public ReadStream<Buffer> handler(Handler<Buffer> handler) {
            if (handler == null) {
                source.handler(null);
                return this;
            }
            source.handler(chunk -> {
                if (exceeded) {
                    return;
                }
                seen += chunk.length();
                if (seen > limit) {
                    exceeded = true;
                    onExceeded.run();
                    Handler<Throwable> failed = exceptionHandler;
                    if (failed != null) {
                        failed.handle(new IllegalStateException("request body over " + limit + " bytes"));
                    }
                    return;
                }
                handler.handle(chunk);
            });
            return this;
        }

        @Override
        public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
            exceptionHandler = handler;
            source.exceptionHandler(handler);
            return this;
        }

        @Override
        public ReadStream<Buffer> pause() {
            source.pause();
            return this;
        }

        @Override
        public ReadStream<Buffer> resume() {
            source.resume();
            return this;
        }

        @Override
        public ReadStream<Buffer> fetch(long amount) {
            source.fetch(amount);
            return this;
        }

        @Override
        public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
            source.endHandler(endHandler);
            return this;
        }
    }
}
