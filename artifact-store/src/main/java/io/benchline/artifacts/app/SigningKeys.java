package io.benchline.artifacts.app;

import io.benchline.artifacts.store.SigningKeyStore;
import io.benchline.artifacts.store.SigningKeyStore.StoredKey;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.security.KeyPair;
import java.util.List;

/**
 * The signing keys of each organization: the active one signs, retired ones stay listed so artifacts signed before
 * a rotation keep verifying. An organization's first key is created on its first upload (or first rotation).
 * Blocking (JDBC): call from worker threads. The active key is read from the database on every signature, so a
 * rotation made on any instance applies to the next upload on every instance.
 */
@ApplicationScoped
public class SigningKeys {
    private static final Logger LOG = Logger.getLogger(SigningKeys.class);
    private final SigningKeyStore store;

    public SigningKeys(SigningKeyStore store) {
        this.store = store;
    }

    /** A signature and the key that made it. */
    public record Signed(String signature, String keyId) {
    }

    /** Signs {@link SignedMessage} of the artifact with the organization's active key. */
    public Signed sign(String digest, String organizationId, String procedureId) {
        String message = SignedMessage.of(digest, organizationId, procedureId);
        StoredKey key = store.activeOrCreate(organizationId, SigningKeys::newKey);
        return new Signed(Ed25519.sign(Ed25519.privateKey(key.privateKey()), message), key.id());
    }

    /** Makes a new key the organization's active one and retires the one before (if any). */
    public SigningKeyStore.Rotation rotate(String organizationId) {
        SignedMessage.requireId("organization_id", organizationId);
        SigningKeyStore.Rotation rotation = store.rotate(organizationId, newKey());
        LOG.infof("signing key of %s rotated: %s active%s", organizationId, rotation.activated().id(),
                rotation.retired().map(k -> ", " + k.id() + " retired").orElse(""));
        return rotation;
    }

    /** Every key of the organization, newest first. */
    public List<StoredKey> list(String organizationId) {
        return store.list(organizationId);
    }

    private static SigningKeyStore.NewKey newKey() {
        KeyPair pair = Ed25519.generate();
        byte[] spki = pair.getPublic().getEncoded();
        return new SigningKeyStore.NewKey(Ed25519.keyId(spki), Ed25519.ALGORITHM, spki, pair.getPrivate().getEncoded());
    }
}
