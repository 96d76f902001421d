package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * Where {@code benchline login} keeps the URL and API key: {@code $BENCHLINE_CONFIG}, else
 * {@code $XDG_CONFIG_HOME/benchline/config.json}, else {@code ~/.config/benchline/config.json}; readable by its owner
 * only (mode 0600, written atomically). Flags win over environment ({@code BENCHLINE_URL}, {@code BENCHLINE_API_KEY}),
 * which wins over the file.
 */
final class CliConfig {
    record Settings(String url, String apiKey) {
    }

    private CliConfig() {
    }

    static Path path(Map<String, String> env) {
        String explicit = env.get("BENCHLINE_CONFIG");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return base.resolve("benchline").resolve("config.json");
    }

    /** The saved settings; empty fields when there is no file. */
    static Settings read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return new Settings(null, null);
        }
        JsonNode node = Json.MAPPER.readTree(file.toFile());
        return new Settings(node.path("url").asText(null), node.path("api_key").asText(null));
    }

    static void write(Path file, Settings settings) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, ".config", ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                temp.toFile().setReadable(false, false);
                temp.toFile().setReadable(true, true);
                temp.toFile().setWritable(true, true);
            }
            Json.MAPPER.writeValue(temp.toFile(), Map.of("url", settings.url(), "api_key", settings.apiKey()));
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Thrown when a command has no URL or key from any source: a usage error. */
    static final class Unconfigured extends IOException {
        Unconfigured(String message) {
            super(message);
        }
    }
}
