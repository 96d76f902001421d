package io.benchline.builds.archive;

import java.nio.file.Path;

/**
 * The archive written to disk.
 *
 * @param digest {@code sha256:<hex>} of the archive bytes
 * @param files  packed source files (manifest not counted)
 */
public record PackedArchive(Path path, long sizeBytes, String digest, int files, long sourceBytes) {
}
