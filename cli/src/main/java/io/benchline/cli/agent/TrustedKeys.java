package io.benchline.cli.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.cli.Json;
import io.benchline.cli.Log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The Ed25519 public keys the agent trusts, by key id, read from a file shaped like {@code GET /v2/keys}:
 * {@code {keys:[{key_id, algorithm, public_key (base64 SPKI DER), created_at}]}}. A file-backed instance
 * re-reads the file when it changed, so rotating keys needs no restart.
 */
public final class TrustedKeys {
    private final Path file;
    private Map<String, PublicKey> keys;
    private FileTime loadedAt;

    private TrustedKeys(Path file, Map<String, PublicKey> keys) {
        this.file = file;
        this.keys = keys;
    }

    public static TrustedKeys of(Map<String, PublicKey> keys) {
        return new TrustedKeys(null, Map.copyOf(keys));
    }

    /** Reads the file now (fails if it cannot be read or parsed) and again whenever it changes. */
    public static TrustedKeys file(Path file) throws IOException {
        TrustedKeys trusted = new TrustedKeys(file, Map.of());
        trusted.reload();
        return trusted;
    }

    public synchronized Optional<PublicKey> find(String keyId) {
        if (file != null) {
            try {
                FileTime modified = Files.getLastModifiedTime(file);
                if (!modified.equals(loadedAt)) {
                    reload();
                }
            } catch (IOException e) {
                Log.warn("cannot re-read trusted keys %s (keeping %d known key(s)): %s", file, keys.size(),
                        e.getMessage());
            }
        }
        return Optional.ofNullable(keys.get(keyId));
    }

    public synchronized int size() {
        return keys.size();
    }

    private void reload() throws IOException {
        FileTime modified = Files.getLastModifiedTime(file);
        Map<String, PublicKey> parsed = parse(Files.readString(file));
        keys = parsed;
        loadedAt = modified;
        if (parsed.isEmpty()) {
            Log.warn("trusted keys: %s holds no Ed25519 key; every artifact will be refused", file);
        } else {
            Log.info("trusted keys: %s from %s", parsed.keySet(), file);
        }
    }

    /** Parses the {@code /v2/keys} JSON; entries of other algorithms are skipped. */
    public static Map<String, PublicKey> parse(String json) throws IOException {
        JsonNode root = Json.MAPPER.readTree(json);
        JsonNode list = root.path("keys");
        if (!list.isArray()) {
            throw new IOException("trusted keys file must be {\"keys\":[...]} as GET /v2/keys prints it");
        }
        Map<String, PublicKey> keys = new LinkedHashMap<>();
        for (JsonNode entry : list) {
            String keyId = entry.path("key_id").asText("");
            String algorithm = entry.path("algorithm").asText("Ed25519");
            if (keyId.isBlank() || !algorithm.toLowerCase(Locale.ROOT).equals("ed25519")) {
                Log.warn("trusted keys: skipping entry %s (algorithm %s)", keyId, algorithm);
                continue;
            }
            try {
                byte[] der = Base64.getDecoder().decode(entry.path("public_key").asText(""));
                PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
                String expected = keyId(key);
                if (!expected.equals(keyId)) {
                    Log.warn("trusted keys: key id %s does not match its public key (would be %s)", keyId, expected);
                }
                keys.put(keyId, key);
            } catch (IllegalArgumentException | GeneralSecurityException e) {
                throw new IOException("trusted keys: public key of " + keyId + " is not base64 Ed25519 SPKI DER", e);
            }
        }
        return keys;
    }

    /** {@code ed25519-} + first 16 hex digits of SHA-256 of the SPKI DER encoding. */
    public static String keyId(PublicKey key) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return "ed25519-" + HexFormat.of().formatHex(hash).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
