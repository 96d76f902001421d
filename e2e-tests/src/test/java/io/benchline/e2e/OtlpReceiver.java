package io.benchline.e2e;

import com.google.protobuf.CodedInputStream;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP trace receiver ({@code http/protobuf}) that keeps every span it is sent, for tests that follow a
 * trace across the services. It reads the few fields of the OTLP trace protocol it needs from the protobuf wire
 * format (opentelemetry-proto's {@code trace.proto}: ExportTraceServiceRequest, ResourceSpans, ScopeSpans, Span).
 */
final class OtlpReceiver implements AutoCloseable {
    /** One received span; ids in lower-case hex, {@code parentSpanId} empty for a root. */
    record Span(String service, String traceId, String spanId, String parentSpanId, String name, int kind,
            Map<String, String> attributes, List<String> linkedSpanIds) {
        static final int KIND_SERVER = 2;
        static final int KIND_PRODUCER = 4;
        static final int KIND_CONSUMER = 5;

        String attribute(String key) {
            return attributes.getOrDefault(key, "");
        }

        @Override
        public String toString() {
            return service + " '" + name + "' " + spanId + " <- " + (parentSpanId.isEmpty() ? "(root)" : parentSpanId);
        }
    }

    private final HttpServer server;
    private final List<Span> spans = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();

    OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.createContext("/", this::receive);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "otlp-receiver");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    /** The endpoint to give the services' OTLP/HTTP exporters. */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<Span> spans() {
        return List.copyOf(spans);
    }

    List<Span> trace(String traceId) {
        return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
    }

    int requests() {
        return requests.get();
    }

    private void receive(HttpExchange exchange) throws IOException {
        try (exchange) {
            InputStream body = exchange.getRequestBody();
            if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                body = new GZIPInputStream(body);
            }
            spans.addAll(request(CodedInputStream.newInstance(body.readAllBytes())));
            requests.incrementAndGet();
            // An empty ExportTraceServiceResponse: everything accepted.
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
        }
    }

    private static List<Span> request(CodedInputStream in) throws IOException {
        List<Span> out = new ArrayList<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag >>> 3 == 1) { // resource_spans
                resourceSpans(in.readBytes().newCodedInput(), out);
            } else {
                in.skipField(tag);
            }
        }
        return out;
    }

    private static void resourceSpans(CodedInputStream in, List<Span> out) throws IOException {
        String service = "";
        List<CodedInputStream> scopes = new ArrayList<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (tag >>> 3) {
                case 1 -> service = attributes(in.readBytes().newCodedInput(), 1).getOrDefault("service.name", "");
                case 2 -> scopes.add(in.readBytes().newCodedInput());
                default -> in.skipField(tag);
            }
        }
        for (CodedInputStream scope : scopes) {
            for (int tag; (tag = scope.readTag()) != 0; ) {
                if (tag >>> 3 == 2) { // spans
                    out.add(span(service, scope.readBytes().newCodedInput()));
                } else {
                    scope.skipField(tag);
                }
            }
        }
    }

    private static Span span(String service, CodedInputStream in) throws IOException {
        String traceId = "";
        String spanId = "";
        String parent = "";
        String name = "";
        int kind = 0;
        Map<String, String> attributes = new TreeMap<>();
        List<String> links = new ArrayList<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (tag >>> 3) {
                case 1 -> traceId = hex(in.readBytes().toByteArray());
                case 2 -> spanId = hex(in.readBytes().toByteArray());
                case 4 -> parent = hex(in.readBytes().toByteArray());
                case 5 -> name = in.readStringRequireUtf8();
                case 6 -> kind = in.readEnum();
                case 9 -> attributes.putAll(keyValue(in.readBytes().newCodedInput()));
                case 13 -> links.add(linkSpanId(in.readBytes().newCodedInput()));
                default -> in.skipField(tag);
            }
        }
        return new Span(service, traceId, spanId, parent, name, kind, attributes, links);
    }

    /** The KeyValue attributes at {@code field} of a message (Resource: 1). */
    private static Map<String, String> attributes(CodedInputStream in, int field) throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag >>> 3 == field) {
                out.putAll(keyValue(in.readBytes().newCodedInput()));
            } else {
                in.skipField(tag);
            }
        }
        return out;
    }

    /** A KeyValue: key 1, value 2 (AnyValue: string 1, bool 2, int 3, double 4; others kept empty). */
    private static Map<String, String> keyValue(CodedInputStream in) throws IOException {
        String key = "";
        String value = "";
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (tag >>> 3) {
                case 1 -> key = in.readStringRequireUtf8();
                case 2 -> value = anyValue(in.readBytes().newCodedInput());
                default -> in.skipField(tag);
            }
        }
        return Map.of(key, value);
    }

    private static String anyValue(CodedInputStream in) throws IOException {
        String value = "";
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (tag >>> 3) {
                case 1 -> value = in.readStringRequireUtf8();
                case 2 -> value = Boolean.toString(in.readBool());
                case 3 -> value = Long.toString(in.readInt64());
                case 4 -> value = Double.toString(in.readDouble());
                default -> in.skipField(tag);
            }
        }
        return value;
    }

    private static String linkSpanId(CodedInputStream in) throws IOException {
        String spanId = "";
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag >>> 3 == 2) {
                spanId = hex(in.readBytes().toByteArray());
            } else {
                in.skipField(tag);
            }
        }
        return spanId;
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
