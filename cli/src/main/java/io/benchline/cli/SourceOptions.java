package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What {@code deploy} and {@code dev} take about the directory they deploy ({@code @Mixin}). */
final class SourceOptions {
    static final String PROCEDURE_FILE = ".benchline.json";

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", defaultValue = ".",
            description = "The directory to pack and deploy (default: the current directory)")
    Path dir;

    @Option(names = "--procedure-id", paramLabel = "ID",
            description = "The procedure (default: BENCHLINE_PROCEDURE_ID, else procedure_id in DIR/"
                    + PROCEDURE_FILE + ")")
    String procedureId;

    @Option(names = "--message", paramLabel = "TEXT",
            description = "The deployment's commit message (default: HEAD's, or what says it is not a commit)")
    String message;

    @Option(names = "--max-size", paramLabel = "SIZE", defaultValue = "95MiB", converter = SizeConverter.class,
            description = "Largest zip to upload: bytes, or with K/M/G, KiB/MiB/GiB (1024) or KB/MB/GB (1000);"
                    + " packing stops when it passes (default: ${DEFAULT-VALUE})")
    long maxSize;

    /** The directory, which must be one. */
    Path directory() throws UsageError {
        if (!Files.isDirectory(dir)) {
            throw new UsageError(dir + " is not a directory");
        }
        return dir.toAbsolutePath().normalize();
    }

    /** {@code --procedure-id}, else {@code BENCHLINE_PROCEDURE_ID}, else {@code DIR/.benchline.json}. */
    String procedureId() throws IOException {
        String env = ApiOptions.environment.get("BENCHLINE_PROCEDURE_ID");
        if (procedureId != null && !procedureId.isBlank()) {
            return procedureId.strip();
        }
        if (env != null && !env.isBlank()) {
            return env.strip();
        }
        Path file = directory().resolve(PROCEDURE_FILE);
        if (Files.isRegularFile(file)) {
            JsonNode settings;
            try {
                settings = Json.MAPPER.readTree(file.toFile());
            } catch (IOException e) {
                throw new UsageError(file + " is not JSON: " + Log.describe(e));
            }
            String id = Fields.text(settings == null ? Json.MAPPER.missingNode() : settings, "procedure_id", null);
            if (id != null) {
                return id.strip();
            }
            throw new UsageError(file + " has no procedure_id");
        }
        throw new UsageError("which procedure? pass --procedure-id, set BENCHLINE_PROCEDURE_ID, or write {\"procedure_id\":"
                + " \"prc_…\"} to " + file);
    }
}
