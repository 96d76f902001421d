package io.benchline.deployments.app;

import io.quarkus.runtime.Startup;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Encrypts repository credentials at rest: AES-256-GCM, a fresh 96-bit nonce per value, the procedure id and the
 * credentials type as associated data (a ciphertext copied onto another procedure's row does not decrypt). The key
 * comes from {@code benchline.secrets.key}; its id (a digest of the key, never the key) is stored beside each value
 * so a later key rotation knows which key sealed it. Without a valid key the service refuses to start.
 */
@Singleton
@Startup
public class CredentialsCipher {
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;
    private final String keyId;

    @Inject
    public CredentialsCipher(SecretsConfig config) {
        this(config.key().orElseThrow(() -> new IllegalStateException("benchline.secrets.key (BENCHLINE_SECRETS_KEY) "
                + "is not set: deployment-service encrypts repository credentials with it. Set it to 32 random bytes "
                + "in base64 (openssl rand -base64 32) and keep it: credentials stored under one key cannot be read "
                + "with another.")));
    }

    CredentialsCipher(String base64Key) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64Key.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("benchline.secrets.key (BENCHLINE_SECRETS_KEY) is not base64");
        }
        if (bytes.length != 32) {
            throw new IllegalStateException("benchline.secrets.key (BENCHLINE_SECRETS_KEY) must be 32 bytes in base64 "
                    + "(openssl rand -base64 32), not " + bytes.length);
        }
        this.key = new SecretKeySpec(bytes, "AES");
        this.keyId = keyIdOf(bytes);
    }

    /** A sealed value: the id of the key that sealed it, the nonce, and ciphertext with its GCM tag. */
    public record Sealed(String keyId, byte[] nonce, byte[] ciphertext) {
    }

    public String keyId() {
        return keyId;
    }

    public Sealed seal(String procedureId, String type, String plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData(procedureId, type, keyId));
            return new Sealed(keyId, nonce, cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt repository credentials: " + e.getMessage(), e);
        }
    }

    public String open(String procedureId, String type, Sealed sealed) {
        if (!keyId.equals(sealed.keyId())) {
            throw new IllegalStateException("the repository credentials of " + procedureId + " were encrypted with key "
                    + sealed.keyId() + ", but benchline.secrets.key is key " + keyId);
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed.nonce()));
            cipher.updateAAD(associatedData(procedureId, type, sealed.keyId()));
            return new String(cipher.doFinal(sealed.ciphertext()), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the repository credentials of " + procedureId + " do not decrypt "
                    + "(tampered with, or sealed for another procedure)", e);
        }
    }

    private static byte[] associatedData(String procedureId, String type, String keyId) {
        return ("benchline-repository-credentials\n" + procedureId + "\n" + type + "\n" + keyId)
                .getBytes(StandardCharsets.UTF_8);
    }

    /** {@code sk-} and 16 hex digits of SHA-256 over a label and the key: names the key without revealing it. */
    static String keyIdOf(byte[] key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("benchline-secrets-key-id\n".getBytes(StandardCharsets.UTF_8));
            return "sk-" + HexFormat.of().formatHex(sha.digest(key), 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
