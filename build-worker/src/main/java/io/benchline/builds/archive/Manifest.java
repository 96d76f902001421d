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
    public static final int SCHEMA_VERSION = 1;

    @JsonPropertyOrder({"name", "language", "runtime_version", "platform", "entry_point"})
    public record Procedure(String name, String language, String runtimeVersion, String platform,
            String entryPoint) {
    }

    @JsonPropertyOrder({"sha", "message", "author", "branch"})
    public record Commit(String sha, String message, String author, String branch) {
    }

    /** @param sha256 lower-case hex of the file's bytes */
    @JsonPropertyOrder({"path", "size", "sha256"})
    public record FileEntry(String path, long size, String sha256) {
    }
}
