package io.benchline.builds.packages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.benchline.builds.app.BuildFailure;
import io.benchline.builds.app.Deadline;
import io.benchline.builds.source.TracePropagation;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A package index's simple repository API: PEP 691 JSON when the index offers it, PEP 503 HTML otherwise. Lists a
 * project's files (name, URL, sha256 the index states) and downloads one within a size limit.
 */
public final class PackageIndex {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ANCHOR = Pattern.compile("<a\\s[^>]*href=\"([^\"]+)\"[^>]*>([^<]+)</a>",
            Pattern.CASE_INSENSITIVE);

    /** A file of a project as the index lists it; {@code sha256} empty when the index does not say. */
    public record IndexFile(String filename, URI url, String sha256) {
    }

    private final URI base;
    private final HttpClient http;
    private final Duration timeout;

    public PackageIndex(String baseUrl, Duration timeout) {
        String b = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
        this.base = URI.create(b);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    public String url() {
        return base.toString();
    }

    /** The project's files; an empty list when the index does not know the project (404). */
    public List<IndexFile> files(String normalizedName, Deadline deadline) {
        URI page = base.resolve(normalizedName + "/");
        HttpResponse<String> response = send(TracePropagation.withTraceContext(HttpRequest.newBuilder(page))
                .header("Accept", "application/vnd.pypi.simple.v1+json, text/html;q=0.1")
                .timeout(limit(deadline)).GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8),
                "the package index " + base);
        if (response.statusCode() == 404) {
            return List.of();
        }
        if (response.statusCode() != 200) {
            throw new BuildFailure("the package index " + base + " answered " + response.statusCode() + " for "
                    + normalizedName);
        }
        String type = response.headers().firstValue("Content-Type").orElse("");
        List<IndexFile> out = new ArrayList<>();
        if (type.contains("json")) {
            try {
                for (JsonNode f : JSON.readTree(response.body()).path("files")) {
                    out.add(new IndexFile(f.path("filename").asText(), page.resolve(f.path("url").asText()),
                            f.path("hashes").path("sha256").asText("").toLowerCase(java.util.Locale.ROOT)));
                }
            } catch (IOException e) {
                throw new BuildFailure("the package index " + base + " answered unreadable JSON for " + normalizedName);
            }
            return out;
        }
        Matcher m = ANCHOR.matcher(response.body());
        while (m.find()) {
            String href = m.group(1).replace("&amp;", "&");
            String sha = "";
            int fragment = href.indexOf("#sha256=");
            if (fragment >= 0) {
                sha = href.substring(fragment + 8).toLowerCase(java.util.Locale.ROOT);
                href = href.substring(0, fragment);
            }
            out.add(new IndexFile(m.group(2).strip(), page.resolve(href), sha));
        }
        return out;
    }

    /** Downloads a file to {@code target}, refusing more than {@code maxBytes}; returns its sha256 (hex). */
    public String download(IndexFile file, Path target, long maxBytes, Deadline deadline) {
        HttpResponse<InputStream> response = send(TracePropagation.withTraceContext(HttpRequest.newBuilder(file.url()))
                .timeout(limit(deadline)).GET().build(), HttpResponse.BodyHandlers.ofInputStream(),
                "the package index " + base);
        try (InputStream in = response.body(); OutputStream out = Files.newOutputStream(target)) {
            if (response.statusCode() != 200) {
                throw new BuildFailure("downloading " + file.filename() + " from " + file.url().getHost()
                        + " answered " + response.statusCode());
            }
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buffer)) > 0; ) {
                total += n;
                if (total > maxBytes) {
                    throw new BuildFailure(file.filename() + " is larger than " + maxBytes
                            + " bytes (benchline.build.max-wheel-size)");
                }
                deadline.check();
                sha.update(buffer, 0, n);
                out.write(buffer, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new BuildFailure("downloading " + file.filename() + " failed: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Duration limit(Deadline deadline) {
        Duration left = deadline.remaining();
        return left.compareTo(timeout) < 0 ? (left.isZero() ? Duration.ofMillis(1) : left) : timeout;
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler, String what) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw new BuildFailure("cannot reach " + what + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildFailure("interrupted while talking to " + what);
        }
    }
}
