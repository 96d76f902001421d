package io.benchline.common.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A span context in its W3C Trace Context form ({@code traceparent}, optional {@code tracestate}), for the hops
 * where a trace has to wait in a table: an outbox row, a fan-out job, a pointer. Kafka consumers and HTTP calls carry
 * it in headers by themselves (SmallRye's and Quarkus' instrumentation); this record is what the rows store, so the
 * relay that sends a row later, on another context and maybe in another instance, continues the trace of the
 * request or event that wrote it.
 */
public record TraceParent(String traceparent, String tracestate) {
    public static final String HEADER = "traceparent";
    public static final String STATE_HEADER = "tracestate";

    private static final TextMapGetter<TraceParent> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(TraceParent carrier) {
            return List.of(HEADER, STATE_HEADER);
        }

        @Override
        public String get(TraceParent carrier, String key) {
            return carrier == null ? null : HEADER.equals(key) ? carrier.traceparent
                    : STATE_HEADER.equals(key) ? carrier.tracestate : null;
        }
    };

    /** The current span's context, or null when there is none (tracing off, or outside any traced work). */
    public static TraceParent current() {
        return of(Context.current());
    }

    /** The context's span as a trace parent, or null when it has no valid span. */
    public static TraceParent of(Context context) {
        if (!Span.fromContext(context).getSpanContext().isValid()) {
            return null;
        }
        Map<String, String> carrier = new HashMap<>(4);
        W3CTraceContextPropagator.getInstance().inject(context, carrier, Map::put);
        String parent = carrier.get(HEADER);
        return parent == null ? null : new TraceParent(parent, carrier.get(STATE_HEADER));
    }

    /** A stored pair, or null when there is no parent (a row written with tracing off). */
    public static TraceParent of(String traceparent, String tracestate) {
        return traceparent == null || traceparent.isBlank() ? null : new TraceParent(traceparent, tracestate);
    }

    /** A context whose remote parent is this trace parent (the root context when it does not parse). */
    public Context context() {
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), this, GETTER);
    }

    /** The trace id, the 32 hex digits after the version. */
    public String traceId() {
        String[] parts = traceparent.split("-");
        return parts.length > 1 ? parts[1] : "";
    }

    /**
     * Starts a span of {@code kind} as a child of {@code parent}, or as a root when {@code parent} is null; the caller
     * ends it. With tracing off the tracer is a no-op and so is the span.
     */
    public static Span start(Tracer tracer, String name, SpanKind kind, TraceParent parent) {
        SpanBuilder builder = tracer.spanBuilder(name).setSpanKind(kind);
        if (parent == null) {
            builder.setNoParent();
        } else {
            builder.setParent(parent.context());
        }
        return builder.startSpan();
    }
}
