package io.benchline.artifacts.app;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "benchline.artifacts")
public interface ArtifactsConfig {
    /** Largest archive accepted on upload (413 above). */
    @WithDefault("256M")
    MemorySize maxSize();

    /** Lifetime of a download URL when the caller names none. */
    @WithDefault("15m")
    Duration downloadUrlTtl();

    /** Longest lifetime a caller may ask for (S3 presigning allows at most 7 days). */
    @WithDefault("7d")
    Duration maxDownloadUrlTtl();

    /** Most entries listed by the contents endpoint; a larger archive is refused (422). */
    @WithDefault("20000")
    int maxContentsEntries();

    /**
     * File entries of contents listings kept in memory, over all archives (a listing of n files weighs n; about 200
     * bytes each). Listings are read again after they were evicted; 0 keeps none.
     */
    @WithDefault("100000")
    long contentsCacheEntries();

    /** Directory for upload spooling; defaults to the JVM's temporary directory. */
    Optional<String> tempDir();
}
