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
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The Ed25519 public keys the agent trusts, by key id, from two sources shaped like {@code GET /v2/keys}
 * ({@code {organization_id?, keys:[{key_id|id, organization_id?, algorithm, public_key (base64 SPKI DER), status?}]}}):
 * <ul>
 * <li>the station's organization's keys, fetched from the dispatcher ({@code GET /agent/v1/keys}) and replaced
 * whenever a fetch brings a new list ({@link #replaceFetched}), so a rotation needs no restart;</li>
 * <li>optionally a file ({@code --trusted-keys}), re-read when it changes.</li>
 * </ul>
 * Retired keys stay trusted: they verify what they signed before a rotation (a rollback to an older deployment).
 */
public final class TrustedKeys {
    /** One trusted key; {@code organizationId} null when its source did not say (an old-format file). */
    public record Key(String id, String organizationId, PublicKey publicKey, String status) {
    }

    /** A parsed key list: the organization it belongs to (null if unnamed) and its keys. */
    public record KeyList(String organizationId, Map<String, Key> keys) {
    }

    private final Path file;
    private Map<String, Key> fromFile = Map.of();
    private FileTime loadedAt;
    private Map<String, Key> fetched = Map.of();
    private String fetchedOrganization;
    private String etag;
    private Instant fetchedAt;

    private TrustedKeys(Path file) {
        this.file = file;
    }

    /** Fixed keys of no particular organization (tests). */
    public static TrustedKeys of(Map<String, PublicKey> keys) {
        TrustedKeys trusted = new TrustedKeys(null);
        Map<String, Key> map = new LinkedHashMap<>();
        keys.forEach((id, key) -> map.put(id, new Key(id, null, key, "active")));
        trusted.fromFile = Map.copyOf(map);
        return trusted;
    }

    /** Nothing trusted until the first fetch. */
    public static TrustedKeys none() {
        return new TrustedKeys(null);
    }

    /** Reads the file now (fails if it cannot be read or parsed) and again whenever it changes. */
    public static TrustedKeys file(Path file) throws IOException {
        TrustedKeys trusted = new TrustedKeys(file);
        trusted.reload();
        return trusted;
    }

    public synchronized Optional<Key> find(String keyId) {
        if (file != null) {
            try {
                FileTime modified = Files.getLastModifiedTime(file);
                if (!modified.equals(loadedAt)) {
                    reload();
                }
            } catch (IOException e) {
                Log.warn("cannot re-read trusted keys %s (keeping %d known key(s)): %s", file, fromFile.size(),
                        e.getMessage());
            }
        }
        Key key = fetched.get(keyId);
        return Optional.ofNullable(key != null ? key : fromFile.get(keyId));
    }

    /** Takes a freshly fetched list of the station's organization (a rotation shows up here). */
    public synchronized void replaceFetched(KeyList list, String newEtag) {
        boolean changed = !list.keys().keySet().equals(fetched.keySet());
        fetched = Map.copyOf(list.keys());
        fetchedOrganization = list.organizationId();
        etag = newEtag;
        fetchedAt = Instant.now();
        if (changed) {
            Log.info("trusted keys of %s from the dispatcher: %s", list.organizationId(), describe(list.keys()));
        }
    }

    /** The dispatcher's list did not change (304). */
    public synchronized void unchanged() {
        fetchedAt = Instant.now();
    }

    public synchronized String etag() {
        return etag;
    }

    /** When the last fetch answered (null: never). */
    public synchronized Instant fetchedAt() {
        return fetchedAt;
    }

    /** The organization the fetched keys belong to; null before the first fetch. */
    public synchronized String fetchedOrganization() {
        return fetchedOrganization;
    }

    public synchronized int size() {
        return fetched.size() + fromFile.size();
    }

    /** For refusal messages: what the agent trusts now. */
    public synchronized String summary() {
        String fetchedPart = fetchedAt == null ? "no keys fetched from the dispatcher yet"
                : fetched.size() + " key(s) of " + fetchedOrganization + " fetched from the dispatcher";
        return fetchedPart + (file == null ? "" : ", " + fromFile.size() + " from " + file);
    }

    private void reload() throws IOException {
        FileTime modified = Files.getLastModifiedTime(file);
        KeyList parsed = parse(Files.readString(file));
        fromFile = Map.copyOf(parsed.keys());
        loadedAt = modified;
        if (parsed.keys().isEmpty()) {
            Log.info("trusted keys: %s holds no Ed25519 key (keys fetched from the dispatcher still count)", file);
        } else {
            Log.info("trusted keys: %s from %s", describe(parsed.keys()), file);
        }
    }

    private static String describe(Map<String, Key> keys) {
        StringBuilder text = new StringBuilder("[");
        for (Key k : keys.values()) {
            if (text.length() > 1) {
                text.append(", ");
            }
            text.append(k.id()).append(k.status() == null ? "" : " (" + k.status() + ")");
        }
        return text.append(']').toString();
    }

    /** Parses the {@code /v2/keys} JSON; entries of other algorithms are skipped. */
    public static KeyList parse(String json) throws IOException {
        JsonNode root = Json.MAPPER.readTree(json);
        JsonNode list = root.path("keys");
        if (!list.isArray()) {
            throw new IOException("trusted keys must be {\"keys\":[...]} as GET /v2/keys prints it");
        }
        String listOrganization = root.path("organization_id").asText(null);
        Map<String, Key> keys = new LinkedHashMap<>();
        for (JsonNode entry : list) {
            String keyId = entry.path("key_id").asText(entry.path("id").asText(""));
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
                String organization = entry.path("organization_id").asText(listOrganization);
                keys.put(keyId, new Key(keyId, organization, key, entry.path("status").asText(null)));
            } catch (IllegalArgumentException | GeneralSecurityException e) {
                throw new IOException("trusted keys: public key of " + keyId + " is not base64 Ed25519 SPKI DER", e);
            }
        }
        return new KeyList(listOrganization, keys);
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
