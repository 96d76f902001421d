package io.benchline.webhooks.app;

import io.benchline.common.api.ProblemException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/** Webhook authentication: GitHub's HMAC signatures over the raw body and GitLab's shared token. */
public final class Signatures {
    private Signatures() {
    }

    /**
     * Checks {@code X-Hub-Signature-256} ({@code sha256=<hex>}), or, only when that header is absent, the legacy
     * {@code X-Hub-Signature} ({@code sha1=<hex>}), against the exact body bytes.
     *
     * @throws ProblemException 401 when both are missing, malformed or do not match
     */
    public static void verifyGitHub(byte[] body, String secret, String signature256, String signature1) {
        if (signature256 != null) {
            check(body, secret, signature256, "sha256=", "HmacSHA256", "X-Hub-Signature-256");
        } else if (signature1 != null) {
            check(body, secret, signature1, "sha1=", "HmacSHA1", "X-Hub-Signature");
        } else {
            throw ProblemException.unauthorized("missing signature: send X-Hub-Signature-256 (HMAC-SHA256 of the body)");
        }
    }

    /** Compares GitLab's {@code X-Gitlab-Token} with the hook secret. */
    public static void verifyGitLab(String token, String secret) {
        if (token == null || token.isEmpty()) {
            throw ProblemException.unauthorized("missing X-Gitlab-Token: set the hook's secret token in GitLab");
        }
        // Comparing digests keeps the comparison constant-time and independent of the secret's length.
        if (!MessageDigest.isEqual(sha256(token), sha256(secret))) {
            throw ProblemException.unauthorized("X-Gitlab-Token does not match the hook's secret");
        }
    }

    private static void check(byte[] body, String secret, String header, String prefix, String algorithm,
            String headerName) {
        String value = header.trim();
        if (!value.startsWith(prefix)) {
            throw ProblemException.unauthorized("malformed " + headerName + ": expected " + prefix + "<hex>");
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(value.substring(prefix.length()).toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ProblemException.unauthorized("malformed " + headerName + ": not hexadecimal");
        }
        byte[] expected = hmac(algorithm, secret, body);
        if (given.length != expected.length) {
            throw ProblemException.unauthorized("malformed " + headerName + ": wrong length");
        }
        if (!MessageDigest.isEqual(expected, given)) {
            throw ProblemException.unauthorized(headerName + " does not match the body signed with the hook's secret");
        }
    }

    static byte[] hmac(String algorithm, String secret, byte[] body) {
        if (secret == null || secret.isEmpty()) {
            // An empty secret would make every signature forgeable; deployment-service always sets one.
            throw ProblemException.unauthorized("the webhook has no secret; signatures cannot be verified");
        }
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), algorithm));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " is not available", e);
        }
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
