package io.benchline.artifacts.api;

import io.benchline.artifacts.store.SigningKeyStore.StoredKey;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/** Maps stored keys to their wire form; the private key never leaves the service. */
final class KeyViews {
    private KeyViews() {
    }

    static ArtifactApi.Key key(StoredKey k) {
        return new ArtifactApi.Key(k.id(), k.id(), k.organizationId(), k.algorithm(),
                Base64.getEncoder().encodeToString(k.publicKey()), k.createdAt(), k.activatedAt(), k.retiredAt(),
                k.active() ? "active" : "retired");
    }

    static ArtifactApi.Keys keys(String organizationId, List<StoredKey> all) {
        return new ArtifactApi.Keys(organizationId, all.stream().map(KeyViews::key).toList());
    }

    /** A tag of the list's content: changes when a key is added or retired. */
    static String etag(String organizationId, List<StoredKey> all) {
        StringBuilder text = new StringBuilder(organizationId);
        for (StoredKey k : all) {
            text.append('\n').append(k.id()).append(' ').append(k.retiredAt());
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return "k" + HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
