package io.benchline.artifacts.storage;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The object store as artifact-store needs it. Calls block (network I/O): call them from worker threads only.
 * Presigned URLs are made for the public endpoint, which stations reach; all other calls use the internal one.
 */
public interface ObjectStorage {

    /** Stores a file under {@code key}, replacing any object there. */
    void put(String key, Path file, String contentType);

    /** The object's bytes; the caller closes the stream. Empty when there is no such object. */
    Optional<InputStream> get(String key);

    /** Size and time of the object, or empty when there is none. */
    Optional<ObjectInfo> stat(String key);

    void delete(String key);

    /** Keys under {@code prefix}, at most {@code limit}. */
    List<ObjectInfo> list(String prefix, int limit);

    /** A URL that lets its holder GET the object until it expires, without credentials. */
    String presignedGet(String key, Duration ttl);

    /** A URL that lets its holder PUT one object under {@code key} until it expires. */
    String presignedPut(String key, Duration ttl);
}
