package io.benchline.cli.agent;

import io.benchline.cli.agent.AgentMessages.Artifact;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Decides whether an artifact may be run: its signature (Ed25519 over the UTF-8 bytes of the digest string
 * {@code sha256:<hex>}) verifies with a trusted key of the named key id, and the downloaded bytes have that
 * size and SHA-256.
 */
public final class ArtifactVerifier {
    private static final Pattern DIGEST = Pattern.compile("^sha256:[0-9a-f]{64}$");

    private final TrustedKeys keys;

    public ArtifactVerifier(TrustedKeys keys) {
        this.keys = keys;
    }

    /** Why an artifact was refused. */
    public static final class VerificationException extends Exception {
        public VerificationException(String message) {
            super(message);
        }
    }

    /** Checks the signature of the digest; done before downloading anything. */
    public void verifySignature(Artifact artifact) throws VerificationException {
        if (artifact == null || artifact.digest() == null || !DIGEST.matcher(artifact.digest()).matches()) {
            throw new VerificationException("digest " + (artifact == null ? null : artifact.digest())
                    + " is not sha256:<64 lower-case hex digits>");
        }
        if (artifact.keyId() == null || artifact.signature() == null) {
            throw new VerificationException("artifact " + artifact.digest() + " is not signed");
        }
        PublicKey key = keys.find(artifact.keyId()).orElseThrow(() -> new VerificationException(
                "signing key " + artifact.keyId() + " is not trusted (not in the trusted keys file)"));
        boolean valid;
        try {
            byte[] signature = Base64.getDecoder().decode(artifact.signature());
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(artifact.digest().getBytes(StandardCharsets.UTF_8));
            valid = verifier.verify(signature);
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            valid = false;
        }
        if (!valid) {
            throw new VerificationException("signature of " + artifact.digest() + " does not verify with key "
                    + artifact.keyId());
        }
    }

    /** Checks the downloaded file against the artifact's size (when known) and digest. */
    public void verifyContent(Path file, Artifact artifact) throws VerificationException, IOException {
        long size = Files.size(file);
        if (artifact.sizeBytes() > 0 && size != artifact.sizeBytes()) {
            throw new VerificationException("downloaded " + size + " bytes, the artifact has " + artifact.sizeBytes());
        }
        String actual = sha256(file);
        if (!MessageDigest.isEqual(actual.getBytes(StandardCharsets.US_ASCII),
                artifact.digest().getBytes(StandardCharsets.US_ASCII))) {
            throw new VerificationException("downloaded bytes have digest " + actual + ", expected "
                    + artifact.digest());
        }
    }

    /** Signature, then content. */
    public void verify(Path file, Artifact artifact) throws VerificationException, IOException {
        verifySignature(artifact);
        verifyContent(file, artifact);
    }

    /** {@code sha256:<hex>} of a file. */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, n);
            }
            return "sha256:" + HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
