package io.benchline.deployments.api;

import java.util.Locale;
import java.util.Map;

/**
 * The content type a file of an artifact is served with, by its extension; anything not listed is
 * {@code application/octet-stream}. HTML and scripts a browser would run are deliberately not listed.
 */
final class ContentTypes {
    static final String DEFAULT = "application/octet-stream";
    private static final Map<String, String> BY_EXTENSION = Map.ofEntries(
            Map.entry("py", "text/x-python"),
            Map.entry("txt", "text/plain"),
            Map.entry("md", "text/markdown"),
            Map.entry("cfg", "text/plain"),
            Map.entry("ini", "text/plain"),
            Map.entry("toml", "application/toml"),
            Map.entry("json", "application/json"),
            Map.entry("yaml", "application/yaml"),
            Map.entry("yml", "application/yaml"),
            Map.entry("csv", "text/csv"),
            Map.entry("zip", "application/zip"),
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"));

    private ContentTypes() {
    }

    static String of(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        if (dot <= 0 || dot == name.length() - 1) {
            return DEFAULT;
        }
        return BY_EXTENSION.getOrDefault(name.substring(dot + 1).toLowerCase(Locale.ROOT), DEFAULT);
    }
}
