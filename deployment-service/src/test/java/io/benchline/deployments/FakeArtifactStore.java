package io.benchline.deployments;

import com.sun.net.httpserver.HttpExchange;
import io.benchline.testsupport.FakePeer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * artifact-store's internal artifact API as deployment-service reads it (artifact-store's own tests cover the real
 * zip handling against real S3): for the archives a test registered, with the internal token,
 * <ul>
 * <li>{@code GET /internal/v1/artifacts/{digest}/contents} → {@code {entries:[{path,size,sha256}]}}</li>
 * <li>{@code GET /internal/v1/artifacts/{digest}/files/{path}} → the file's bytes with Content-Length</li>
 * <li>{@code DELETE /internal/v1/artifacts/{digest}?unless_uploaded_after=} → 204, recorded in
 * {@link #ARTIFACT_DELETES}</li>
 * </ul>
 * and 404 problem JSON for anything else, 401 without the token.
 */
public class FakeArtifactStore extends FakePeer {
    /** digest ("sha256:…") → path → bytes, in archive order. */
    static final Map<String, Map<String, byte[]>> ARCHIVES = new ConcurrentHashMap<>();
    /** Every delete answered: {@code <digest>?<query>}. */
    static final List<String> ARTIFACT_DELETES = new CopyOnWriteArrayList<>();
    private static final String PREFIX = "/internal/v1/artifacts/";
    private static final String UPLOAD_PREFIX = "/internal/v1/uploads/";

    /** An upload as artifact-store records it; {@code storedSizeBytes} null until the CLI PUT it. */
    record Upload(String organizationId, long sizeBytes, String sha256, Long storedSizeBytes) {
    }

    /** upload id → upload, answered by {@code GET /internal/v1/uploads/{id}?organization_id=} for its organization. */
    static final Map<String, Upload> UPLOADS = new ConcurrentHashMap<>();

    static void register(String digest, Map<String, byte[]> files) {
        ARCHIVES.put(digest, new LinkedHashMap<>(files));
    }

    @Override
    protected Map<String, String> config(String baseUrl) {
        return Map.of("benchline.services.artifact-url", baseUrl);
    }

    @Override
    protected void handle(HttpExchange exchange) throws IOException {
        if (!hasInternalToken(exchange)) {
            answer(exchange, 401, "{\"title\":\"Unauthorized\",\"status\":401}");
            return;
        }
        String path = exchange.getRequestURI().getPath();
        if (exchange.getRequestMethod().equals("DELETE") && path.startsWith(PREFIX)) {
            ARTIFACT_DELETES.add(path.substring(PREFIX.length()) + "?" + exchange.getRequestURI().getQuery());
            exchange.sendResponseHeaders(204, -1);
            return;
        }
        if (exchange.getRequestMethod().equals("GET") && path.startsWith(UPLOAD_PREFIX)) {
            String id = path.substring(UPLOAD_PREFIX.length());
            Upload upload = UPLOADS.get(id);
            String query = exchange.getRequestURI().getQuery();
            if (upload == null || query == null || !query.equals("organization_id=" + upload.organizationId())) {
                answer(exchange, 404, "{\"title\":\"Not Found\",\"status\":404}");
                return;
            }
            answer(exchange, 200, "{\"id\":\"" + id + "\",\"organization_id\":\"" + upload.organizationId()
                    + "\",\"size_bytes\":" + upload.sizeBytes() + ",\"sha256\":\"" + upload.sha256()
                    + "\",\"stored_size_bytes\":" + upload.storedSizeBytes() + "}");
            return;
        }
        if (!exchange.getRequestMethod().equals("GET") || !path.startsWith(PREFIX)) {
            answer(exchange, 404, "{\"title\":\"Not Found\",\"status\":404}");
            return;
        }
        String rest = path.substring(PREFIX.length());
        int slash = rest.indexOf('/');
        Map<String, byte[]> archive = slash < 0 ? null : ARCHIVES.get(rest.substring(0, slash));
        String what = slash < 0 ? "" : rest.substring(slash + 1);
        if (archive != null && what.equals("contents")) {
            answer(exchange, 200, "{\"entries\":[" + archive.entrySet().stream()
                    .map(e -> "{\"path\":\"" + e.getKey() + "\",\"size\":" + e.getValue().length + ",\"sha256\":\""
                            + sha256(e.getValue()) + "\"}")
                    .collect(Collectors.joining(",")) + "]}");
            return;
        }
        if (archive != null && what.startsWith("files/") && archive.containsKey(what.substring("files/".length()))) {
            byte[] bytes = archive.get(what.substring("files/".length()));
            exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            return;
        }
        answer(exchange, 404, "{\"title\":\"Not Found\",\"status\":404,\"detail\":\"no " + what + "\"}");
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
