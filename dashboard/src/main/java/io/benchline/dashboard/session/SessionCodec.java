package io.benchline.dashboard.session;

import io.benchline.dashboard.DashboardConfig;
import jakarta.enterprise.context.ApplicationScoped;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Seals a {@link Session} into a cookie value (AES-256-GCM: encrypted and authenticated, so a changed byte makes it
 * unreadable) and derives CSRF tokens (HMAC-SHA256 of the session id). Both keys come from
 * {@code benchline.dashboard.session-secret}, each through its own label, so a token never doubles as a key.
 */
@ApplicationScoped
public class SessionCodec {
    private static final int MIN_SECRET_LENGTH = 32;
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    // Bound into every cookie: a value sealed for another purpose or version does not open as a session.
    private static final byte[] AAD = "benchline-dashboard-session-v1".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final SecretKeySpec encryptionKey;
    private final SecretKeySpec csrfKey;

    public SessionCodec(DashboardConfig config) {
        String secret = config.sessionSecret();
        if (secret.length() < MIN_SECRET_LENGTH) {
            throw new IllegalStateException("benchline.dashboard.session-secret must be at least "
                    + MIN_SECRET_LENGTH + " characters");
        }
        this.encryptionKey = new SecretKeySpec(derive(secret, "session-encryption"), "AES");
        this.csrfKey = new SecretKeySpec(derive(secret, "csrf"), "HmacSHA256");
    }

    /** A new random id (for a session, or a sign-in form's nonce). */
    public static String newId() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return B64.encodeToString(bytes);
    }

    public String seal(Session session) {
        String plain = String.join("\n", session.id(), session.role().wire(),
                Long.toString(session.expiresAt().getEpochSecond()), session.apiKey());
        try {
            byte[] iv = new byte[IV_BYTES];
            RANDOM.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, encryptionKey, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(AAD);
            byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            return B64.encodeToString(ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** The session a cookie value holds; empty when it is not ours (forged, changed, another secret) or expired. */
    public Optional<Session> open(String cookie, Instant now) {
        if (cookie == null || cookie.isEmpty() || cookie.length() > 4096) {
            return Optional.empty();
        }
        try {
            byte[] raw = Base64.getUrlDecoder().decode(cookie);
            if (raw.length <= IV_BYTES) {
                return Optional.empty();
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, encryptionKey, new GCMParameterSpec(TAG_BITS, raw, 0, IV_BYTES));
            cipher.updateAAD(AAD);
            String[] parts = new String(cipher.doFinal(raw, IV_BYTES, raw.length - IV_BYTES),
                    StandardCharsets.UTF_8).split("\n", 4);
            if (parts.length != 4) {
                return Optional.empty();
            }
            Instant expires = Instant.ofEpochSecond(Long.parseLong(parts[2]));
            if (!now.isBefore(expires)) {
                return Optional.empty();
            }
            return Optional.of(new Session(parts[0], parts[3], Role.valueOf(parts[1].toUpperCase(
                    java.util.Locale.ROOT)), expires));
        } catch (AEADBadTagException | IllegalArgumentException e) {
            return Optional.empty(); // IllegalArgumentException: bad Base64, number or role
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** The CSRF token of a session (or, with another {@code purpose}, of a sign-in form's nonce). */
    public String csrfToken(String purpose, String id) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(csrfKey);
            return B64.encodeToString(mac.doFinal((purpose + "\n" + id).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    /** The token every state-changing form of this session carries. */
    public String csrfToken(Session session) {
        return csrfToken(CurrentSession.CSRF_PURPOSE, session.id());
    }

    /** Whether a form's token is the one of this id, compared in constant time. */
    public boolean csrfMatches(String purpose, String id, String token) {
        return id != null && token != null && MessageDigest.isEqual(
                csrfToken(purpose, id).getBytes(StandardCharsets.US_ASCII),
                token.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] derive(String secret, String label) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(label.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
