package io.benchline.artifacts.storage;

import java.time.Instant;

/** What the object store knows about one object. */
public record ObjectInfo(String key, long size, Instant lastModified, String etag) {
}
