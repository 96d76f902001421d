package io.benchline.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A package index on the loopback interface (the simple repository API: PEP 503 HTML, or PEP 691 JSON when asked),
 * serving wheels the test builds ({@link #wheel}), since no public index is reachable here. Records the files
 * downloaded.
 */
public final class LocalPackageIndex implements AutoCloseable {
    /** A wheel this index serves: its file name, bytes and their sha256 (hex). */
    public record Wheel(String project, String version, String filename, byte[] bytes, String sha256) {
    }

    private final HttpServer server;
    private final Map<String, List<Wheel>> projects = new ConcurrentHashMap<>();
    private final Map<String, String> statedHashes = new ConcurrentHashMap<>();
    public final List<String> downloads = new CopyOnWriteArrayList<>();
    private volatile boolean htmlOnly;

    public LocalPackageIndex() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    /** The simple API's base URL, e.g. {@code http://127.0.0.1:12345/simple}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/simple";
    }

    /** Answers PEP 503 HTML even to a client that asks for PEP 691 JSON (an index that has no JSON API). */
    public LocalPackageIndex htmlOnly() {
        htmlOnly = true;
        return this;
    }

    /** Serves this wheel. */
    public LocalPackageIndex add(Wheel wheel) {
        projects.computeIfAbsent(normalize(wheel.project()), p -> new CopyOnWriteArrayList<>()).add(wheel);
        return this;
    }

    /** Lists the file with another sha256 than its bytes have (an index that lies, or a tampered mirror). */
    public LocalPackageIndex stateHash(String filename, String sha256) {
        statedHashes.put(filename, sha256);
        return this;
    }

    /**
     * A pure-Python wheel ({@code py3-none-any}) of one module {@code <module>.py} holding {@code source}, with the
     * dist-info pip needs to install it (METADATA, WHEEL, RECORD with hashes).
     */
    public static Wheel wheel(String project, String version, String module, String source) {
        String dist = project.replace('-', '_');
        String info = dist + "-" + version + ".dist-info/";
        Map<String, byte[]> files = new java.util.LinkedHashMap<>();
        files.put(module + ".py", source.getBytes(StandardCharsets.UTF_8));
        files.put(info + "METADATA", ("Metadata-Version: 2.1\nName: " + project + "\nVersion: " + version + "\n")
                .getBytes(StandardCharsets.UTF_8));
        files.put(info + "WHEEL", "Wheel-Version: 1.0\nGenerator: benchline-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
                .getBytes(StandardCharsets.UTF_8));
        StringBuilder record = new StringBuilder();
        files.forEach((name, bytes) -> record.append(name).append(",sha256=")
                .append(Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(bytes))).append(',')
                .append(bytes.length).append('\n'));
        record.append(info).append("RECORD,,\n");
        files.put(info + "RECORD", record.toString().getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (var e : files.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] bytes = out.toByteArray();
        return new Wheel(project, version, dist + "-" + version + "-py3-none-any.whl", bytes,
                HexFormat.of().formatHex(sha256(bytes)));
    }

    /**
     * A uv.lock as uv writes it: the procedure's own project ({@code virtual}), then each wheel with its URL (a public
     * index's: the lock names the file, build-worker fetches it from its own index) and hash.
     */
    public static String uvLock(String project, String requiresPython, Wheel... wheels) {
        StringBuilder lock = new StringBuilder("version = 1\nrequires-python = \"" + requiresPython + "\"\n\n"
                + "[[package]]\nname = \"" + project + "\"\nversion = \"0.1.0\"\nsource = { virtual = \".\" }\n");
        // The project depends on every wheel, as uv writes it: a build vendors what the project reaches.
        lock.append("dependencies = [\n");
        for (Wheel w : wheels) {
            lock.append("    { name = \"").append(w.project()).append("\" },\n");
        }
        lock.append("]\n\n");
        for (Wheel w : wheels) {
            lock.append("[[package]]\nname = \"").append(w.project()).append("\"\nversion = \"").append(w.version())
                    .append("\"\nsource = { registry = \"https://pypi.org/simple\" }\nwheels = [\n    { url = \"")
                    .append("https://files.pythonhosted.org/packages/").append(w.filename()).append("\", hash = \"sha256:")
                    .append(w.sha256()).append("\", size = ").append(w.bytes().length).append(" },\n]\n\n");
        }
        return lock.toString();
    }

    /** A file named like a wheel that pip refuses to install (no dist-info): an install that fails on the station. */
    public static Wheel brokenWheel(String project, String version) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry(project.replace('-', '_') + ".py"));
            zip.write("raise SystemExit('not installable')\n".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] bytes = out.toByteArray();
        return new Wheel(project, version, project.replace('-', '_') + "-" + version + "-py3-none-any.whl", bytes,
                HexFormat.of().formatHex(sha256(bytes)));
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.startsWith("/files/")) {
                String filename = path.substring("/files/".length());
                Wheel wheel = projects.values().stream().flatMap(List::stream)
                        .filter(w -> w.filename().equals(filename)).findFirst().orElse(null);
                if (wheel == null) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                downloads.add(filename);
                exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
                exchange.sendResponseHeaders(200, wheel.bytes().length);
                try (OutputStream body = exchange.getResponseBody()) {
                    body.write(wheel.bytes());
                }
                return;
            }
            if (!path.startsWith("/simple/")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            String project = path.substring("/simple/".length()).replaceAll("/$", "");
            List<Wheel> wheels = projects.get(project);
            if (wheels == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            boolean json = !htmlOnly && String.valueOf(exchange.getRequestHeaders().getFirst("Accept"))
                    .contains("application/vnd.pypi.simple.v1+json");
            String body;
            if (json) {
                List<String> files = new ArrayList<>();
                for (Wheel w : wheels) {
                    files.add("{\"filename\":\"" + w.filename() + "\",\"url\":\"../../files/" + w.filename()
                            + "\",\"hashes\":{\"sha256\":\"" + statedHashes.getOrDefault(w.filename(), w.sha256())
                            + "\"}}");
                }
                body = "{\"meta\":{\"api-version\":\"1.0\"},\"name\":\"" + project + "\",\"files\":["
                        + String.join(",", files) + "]}";
                exchange.getResponseHeaders().set("Content-Type", "application/vnd.pypi.simple.v1+json");
            } else {
                StringBuilder html = new StringBuilder("<!DOCTYPE html><html><body>\n");
                for (Wheel w : wheels) {
                    html.append("<a href=\"../../files/").append(w.filename()).append("#sha256=")
                            .append(statedHashes.getOrDefault(w.filename(), w.sha256())).append("\">")
                            .append(w.filename()).append("</a><br/>\n");
                }
                body = html.append("</body></html>\n").toString();
                exchange.getResponseHeaders().set("Content-Type", "text/html");
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
