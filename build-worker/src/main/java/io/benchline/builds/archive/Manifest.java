package io.benchline.builds.archive;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/**
 * {@code manifest.json}, the archive's first entry. Field order is fixed here and nulls are written, so the same
 * commit always gives the same bytes.
 */
@JsonPropertyOrder({"schema_version", "procedure", "commit", "files"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Manifest(int schemaVersion, Procedure procedure, Commit commit, List<FileEntry> files) {
    /** 2: no branch in {@code commit} (one commit built from two branches is one artifact); {@code procedure.format}. */
    public static final int SCHEMA_VERSION = 2;

    /** @param format {@code simple} (run {@code entry_point}) or {@code tofupilot} (run the phases) */
    @JsonPropertyOrder({"name", "language", "runtime_version", "platform", "entry_point", "format"})
    public record Procedure(String name, String language, String runtimeVersion, String platform,
            String entryPoint, String format) {
    }

    @JsonPropertyOrder({"sha", "message", "author"})
    public record Commit(String sha, String message, String author) {
    }

    /** @param sha256 lower-case hex of the file's bytes */
    @JsonPropertyOrder({"path", "size", "sha256"})
    public record FileEntry(String path, long size, String sha256) {
    }
}
