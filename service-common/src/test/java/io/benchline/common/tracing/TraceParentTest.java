package io.benchline.common.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TraceParentTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN = "00f067aa0ba902b7";

    @Test
    void noSpanNoTraceParent() {
        assertThat(TraceParent.current()).isNull();
        assertThat(TraceParent.of(Context.root())).isNull();
        assertThat(TraceParent.of(null, null)).isNull();
        assertThat(TraceParent.of(" ", "a=b")).isNull();
    }

    @Test
    void theCurrentSpanTravelsAsItsW3CForm() {
        SpanContext span = SpanContext.create(TRACE, SPAN, TraceFlags.getSampled(),
                TraceState.builder().put("vendor", "x1").build());
        try (Scope ignored = Context.root().with(Span.wrap(span)).makeCurrent()) {
            TraceParent current = TraceParent.current();
            assertThat(current.traceparent()).isEqualTo("00-" + TRACE + "-" + SPAN + "-01");
            assertThat(current.tracestate()).isEqualTo("vendor=x1");
            assertThat(current.traceId()).isEqualTo(TRACE);
        }
    }

    @Test
    void aStoredTraceParentBecomesTheRemoteParentOfWhatContinuesIt() {
        TraceParent stored = TraceParent.of("00-" + TRACE + "-" + SPAN + "-01", "vendor=x1");
        SpanContext parent = Span.fromContext(stored.context()).getSpanContext();
        assertThat(parent.isValid()).isTrue();
        assertThat(parent.isRemote()).isTrue();
        assertThat(parent.getTraceId()).isEqualTo(TRACE);
        assertThat(parent.getSpanId()).isEqualTo(SPAN);
        assertThat(parent.getTraceState().get("vendor")).isEqualTo("x1");
        // What it was read from comes out again unchanged.
        assertThat(TraceParent.of(stored.context())).isEqualTo(stored);
    }

    @Test
    void aMangledTraceParentContinuesNothing() {
        TraceParent mangled = TraceParent.of("00-not-a-trace", null);
        assertThat(Span.fromContext(mangled.context()).getSpanContext().isValid()).isFalse();
        assertThat(TraceParent.of(mangled.context())).isNull();
    }
}
