package io.benchline.builds.source;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;

import java.net.http.HttpRequest;

/**
 * The worker's own HTTP clients (the JDK's, which no instrumentation sees) carry the current trace context, so the
 * services they call continue the build's trace.
 */
public final class TracePropagation {
    private TracePropagation() {
    }

    /** Adds {@code traceparent} (and {@code tracestate}) of the current span, when there is one. */
    public static HttpRequest.Builder withTraceContext(HttpRequest.Builder request) {
        W3CTraceContextPropagator.getInstance().inject(Context.current(), request, HttpRequest.Builder::header);
        return request;
    }
}
