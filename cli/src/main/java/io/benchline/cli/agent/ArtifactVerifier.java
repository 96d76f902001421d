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
import java.security.Signature;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Decides whether an artifact may be run: its signature verifies with a trusted key of the named key id, that key
 * belongs to the station's organization, and the downloaded bytes have that size and SHA-256. The signature is
 * Ed25519 over the UTF-8 bytes of the version 1 message (artifact-store's {@code SignedMessage}):
 *
 * <pre>
 * benchline-artifact-signature-v1\n
 * organization:&lt;organization id&gt;\n
 * procedure:&lt;procedure id&gt;\n
 * digest:sha256:&lt;64 lower-case hex&gt;\n
 * </pre>
 *
 * built here from the station's organization and the assignment's procedure, so an artifact signed for another
 * organization or procedure never verifies.
 */
public final class ArtifactVerifier {
    private static final Pattern DIGEST = Pattern.compile("^sha256:[0-9a-f]{64}$");
    private static final Pattern ID = Pattern.compile("^[A-Za-z0-9_-]{1,100}$");

    private final TrustedKeys keys;

    public ArtifactVerifier(TrustedKeys keys) {
        this.keys = keys;
    }

    /** Why an artifact was refused. */
    public static class VerificationException extends Exception {
        public VerificationException(String message) {
            super(message);
        }
    }

    /** The artifact names a key the agent does not trust (yet): worth fetching the keys again. */
    public static final class UnknownKeyException extends VerificationException {
        public UnknownKeyException(String message) {
            super(message);
        }
    }

    /** The exact text a signature covers. */
    public static String message(String digest, String organizationId, String procedureId) {
        return "benchline-artifact-signature-v1\norganization:" + organizationId + "\nprocedure:" + procedureId
                + "\ndigest:" + digest + "\n";
    }

    /**
     * Checks the signature of the digest for this station's organization and the assignment's procedure; done
     * before downloading anything. Returns the key that verified it.
     */
    public TrustedKeys.Key verifySignature(Artifact artifact, String organizationId, String procedureId)
            throws VerificationException {
        if (artifact == null || artifact.digest() == null || !DIGEST.matcher(artifact.digest()).matches()) {
            throw new VerificationException("digest " + (artifact == null ? null : artifact.digest())
                    + " is not sha256:<64 lower-case hex digits>");
        }
        if (artifact.keyId() == null || artifact.signature() == null) {
            throw new VerificationException("artifact " + artifact.digest() + " is not signed");
        }
        if (organizationId == null || !ID.matcher(organizationId).matches()) {
            throw new VerificationException("the station's organization is not known (" + organizationId
                    + "), so no signature can be checked");
        }
        if (procedureId == null || !ID.matcher(procedureId).matches()) {
            throw new VerificationException("procedure id " + procedureId + " is malformed");
        }
        TrustedKeys.Key key = keys.find(artifact.keyId()).orElseThrow(() -> new UnknownKeyException(
                "signing key " + artifact.keyId() + " is not trusted: not a key of organization " + organizationId
                        + " (" + keys.summary() + ")"));
        if (key.organizationId() != null && !key.organizationId().equals(organizationId)) {
            throw new VerificationException("signing key " + artifact.keyId() + " belongs to organization "
                    + key.organizationId() + ", not to this station's organization " + organizationId);
        }
        boolean valid;
        try {
            byte[] signature = Base64.getDecoder().decode(artifact.signature());
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key.publicKey());
            verifier.update(message(artifact.digest(), organizationId, procedureId).getBytes(StandardCharsets.UTF_8));
            valid = verifier.verify(signature);
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            valid = false;
        }
        if (!valid) {
            throw new VerificationException("signature of " + artifact.digest() + " does not verify with key "
                    + artifact.keyId() + " for organization " + organizationId + " and procedure " + procedureId
                    + " (signed for another organization or procedure, or forged)");
        }
        return key;
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
    public void verify(Path file, Artifact artifact, String organizationId, String procedureId)
            throws VerificationException, IOException {
        verifySignature(artifact, organizationId, procedureId);
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
