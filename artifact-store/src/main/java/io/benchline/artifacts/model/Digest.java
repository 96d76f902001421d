package io.benchline.artifacts.model;

import io.benchline.common.api.ProblemException;

import java.util.HexFormat;
import java.util.regex.Pattern;

/** A content address {@code sha256:<64 lower-case hex>}; it names an artifact and its object key. */
public record Digest(String hex) {
    private static final Pattern FORMAT = Pattern.compile("sha256:[0-9a-f]{64}");

    public static Digest ofSha256(byte[] hash) {
        return new Digest(HexFormat.of().formatHex(hash));
    }

    /** Parses a digest from a request; a malformed one is the caller's error (400). */
    public static Digest parse(String text) {
        if (text == null || !FORMAT.matcher(text).matches()) {
            throw ProblemException.invalid("digest", "must be sha256:<64 lower-case hex digits>, got '" + text + "'");
        }
        return new Digest(text.substring("sha256:".length()));
    }

    /** Where the archive lives in the bucket. */
    public String objectKey() {
        return "artifacts/sha256/" + hex + ".zip";
    }

    @Override
    public String toString() {
        return "sha256:" + hex;
    }
}
