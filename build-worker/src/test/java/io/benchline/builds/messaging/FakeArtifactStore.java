package io.benchline.builds.messaging;

import com.sun.net.httpserver.HttpExchange;
import io.benchline.events.EventCodec;
import io.benchline.events.EventIds;
import io.benchline.testsupport.FakePeer;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny stand-in for artifact-store: the artifact upload endpoint (checks the internal token and content type,
 * answers 201 with the body's real digest and a fixed signature, and keeps the bytes it received by digest), and the
 * two endpoints that serve the CLI's uploads, {@code GET /internal/v1/uploads/{id}} and {@code .../content} (404 for
 * an unknown id or another organization).
 */
public class FakeArtifactStore extends FakePeer {
    public static final String SIGNATURE = "ZmFrZS1zaWduYXR1cmU=";
    public static final String KEY_ID = "ed25519-0123456789abcdef";
    public static final Map<String, byte[]> STORED = new ConcurrentHashMap<>();
    /** The query string each digest was last uploaded with ({@code organization_id=…&procedure_id=…}). */
    public static final Map<String, String> QUERIES = new ConcurrentHashMap<>();
    /** How many of the next uploads answer 503 (to exercise the retry). */
    public static final AtomicInteger FAIL_NEXT = new AtomicInteger();
    /** The uploads served, by id. */
    public static final Map<String, Upload> UPLOADS = new ConcurrentHashMap<>();
    /** Each read of an upload: its path and the traceparent header it carried (null when none). */
    public static final List<String> UPLOAD_READS = new CopyOnWriteArrayList<>();
    /** How many of the next upload reads (record or content) answer 503. */
    public static final AtomicInteger FAIL_NEXT_UPLOAD_READ = new AtomicInteger();

    /**
     * An upload as artifact-store holds it: what the CLI announced ({@code sizeBytes}, {@code sha256}, the commit),
     * what it stored ({@code storedSizeBytes}, null before the zip arrived) and the bytes {@code content} serves.
     * {@code chunked} leaves Content-Length out; {@code stall} pauses the body halfway.
     */
    public record Upload(String organizationId, long sizeBytes, String sha256, Long storedSizeBytes,
            String commitMessage, String commitAuthor, byte[] content, boolean chunked, Duration stall) {
        /** An upload that went as it should: announced and stored size and sha256 are the zip's. */
        public static Upload of(String organizationId, byte[] zip, String commitMessage, String commitAuthor) {
            return new Upload(organizationId, zip.length, HexFormat.of().formatHex(FakeArtifactStore.sha256(zip)),
                    (long) zip.length, commitMessage, commitAuthor, zip, false, Duration.ZERO);
        }

        public Upload announcing(long size, String sha) {
            return new Upload(organizationId, size, sha, storedSizeBytes, commitMessage, commitAuthor, content, chunked,
                    stall);
        }

        public Upload stored(Long size) {
            return new Upload(organizationId, sizeBytes, sha256, size, commitMessage, commitAuthor, content, chunked,
                    stall);
        }

        public Upload serving(byte[] bytes, boolean withoutLength, Duration pause) {
            return new Upload(organizationId, sizeBytes, sha256, storedSizeBytes, commitMessage, commitAuthor, bytes,
                    withoutLength, pause);
        }
    }

    /** Serves {@code upload} under a new upload id, which it returns. */
    public static String serve(Upload upload) {
        String id = EventIds.withPrefix("upl");
        UPLOADS.put(id, upload);
        return id;
    }

    @Override
    protected Map<String, String> config(String baseUrl) {
        return Map.of("benchline.services.artifact-url", baseUrl);
    }

    @Override
    protected void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        if ("GET".equals(exchange.getRequestMethod())
                && exchange.getRequestURI().getPath().startsWith("/internal/v1/uploads/")) {
            serveUpload(exchange);
        } else if (!"POST".equals(exchange.getRequestMethod())
                || !exchange.getRequestURI().getPath().equals("/internal/v1/artifacts")) {
            answer(exchange, 404, "{\"title\":\"Not Found\",\"status\":404}");
        } else if (!hasInternalToken(exchange)) {
            answer(exchange, 401, "{\"title\":\"Unauthorized\",\"status\":401,\"detail\":\"bad internal token\"}");
        } else if (!"application/zip".equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
            answer(exchange, 415, "{\"title\":\"Unsupported Media Type\",\"status\":415}");
        } else if (FAIL_NEXT.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            answer(exchange, 503, "{\"title\":\"Service Unavailable\",\"status\":503,\"detail\":\"try again\"}");
        } else {
            String digest = "sha256:" + HexFormat.of().formatHex(sha256(body));
            STORED.put(digest, body);
            QUERIES.put(digest, String.valueOf(exchange.getRequestURI().getQuery()));
            answer(exchange, 201, "{\"digest\":\"" + digest + "\",\"size_bytes\":" + body.length
                    + ",\"signature\":\"" + SIGNATURE + "\",\"key_id\":\"" + KEY_ID + "\"}");
        }
    }

    private static void serveUpload(HttpExchange exchange) throws IOException {
        String[] path = exchange.getRequestURI().getPath().substring("/internal/v1/uploads/".length()).split("/");
        Upload upload = UPLOADS.get(path[0]);
        String query = String.valueOf(exchange.getRequestURI().getQuery());
        boolean content = path.length == 2 && path[1].equals("content");
        UPLOAD_READS.add(exchange.getRequestURI().getPath() + " "
                + exchange.getRequestHeaders().getFirst("traceparent"));
        if (!hasInternalToken(exchange)) {
            answer(exchange, 401, "{\"title\":\"Unauthorized\",\"status\":401,\"detail\":\"bad internal token\"}");
        } else if (upload == null || (path.length != 1 && !content)
                || !query.equals("organization_id=" + upload.organizationId())) {
            answer(exchange, 404, "{\"title\":\"Not Found\",\"status\":404,\"detail\":\"no such upload\"}");
        } else if (FAIL_NEXT_UPLOAD_READ.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            answer(exchange, 503, "{\"title\":\"Service Unavailable\",\"status\":503,\"detail\":\"try again\"}");
        } else if (!content) {
            answer(exchange, 200, "{\"id\":\"" + path[0] + "\",\"organization_id\":\"" + upload.organizationId()
                    + "\",\"size_bytes\":" + upload.sizeBytes() + ",\"sha256\":\"" + upload.sha256()
                    + "\",\"stored_size_bytes\":" + upload.storedSizeBytes()
                    + ",\"commit_message\":" + json(upload.commitMessage())
                    + ",\"commit_author\":" + json(upload.commitAuthor())
                    + ",\"created_at\":\"2026-01-02T03:04:05Z\",\"expires_at\":\"2026-01-03T03:04:05Z\"}");
        } else {
            byte[] zip = upload.content();
            exchange.getResponseHeaders().set("Content-Type", "application/zip");
            exchange.sendResponseHeaders(200, upload.chunked() ? 0 : zip.length);
            OutputStream out = exchange.getResponseBody();
            int half = zip.length / 2;
            out.write(zip, 0, half);
            out.flush();
            if (!upload.stall().isZero()) {
                try {
                    Thread.sleep(upload.stall().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            out.write(zip, half, zip.length - half);
        }
    }

    private static String json(String text) {
        if (text == null) {
            return "null";
        }
        try {
            return EventCodec.mapper().writeValueAsString(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
