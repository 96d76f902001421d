package io.benchline.artifacts.app;

import io.benchline.artifacts.model.SigningKey;
import io.benchline.artifacts.store.SigningKeyRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/** The signing keys: makes sure exactly one is active, signs with it, lists all for verifiers. */
@ApplicationScoped
public class SigningKeys {
    private static final Logger LOG = Logger.getLogger(SigningKeys.class);
    private final SigningKeyRepository repository;
    private final SigningConfig config;
    private volatile ActiveKey current;

    public SigningKeys(SigningKeyRepository repository, SigningConfig config) {
        this.repository = repository;
        this.config = config;
    }

    /** The active key as loaded; the private key never leaves this service. */
    public record ActiveKey(String keyId, PrivateKey privateKey) {
    }

    /**
     * Returns the active key, creating one if there is none. Two instances racing here both end with the same
     * key: the unique partial index lets one insert win, and the loser re-reads the winner's row.
     */
    @WithTransaction
    public Uni<ActiveKey> ensureActive() {
        if (config.privateKey().isPresent()) {
            KeyPair pair = Ed25519.fromPkcs8(Base64.getDecoder().decode(config.privateKey().get().trim()));
            byte[] spki = pair.getPublic().getEncoded();
            String keyId = Ed25519.keyId(spki);
            return repository.activateConfigured(keyId, spki, pair.getPrivate().getEncoded(), now())
                    .map(ignored -> remember(new ActiveKey(keyId, pair.getPrivate())));
        }
        return repository.findActive().chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().item(existing);
            }
            KeyPair pair = Ed25519.generate();
            byte[] spki = pair.getPublic().getEncoded();
            String keyId = Ed25519.keyId(spki);
            return repository.insertActiveIfNoneActive(keyId, spki, pair.getPrivate().getEncoded(), now())
                    .invoke(inserted -> {
                        if (inserted) {
                            LOG.infof("generated signing key %s", keyId);
                        }
                    })
                    .chain(repository::findActive);
        }).map(row -> remember(new ActiveKey(row.keyId, Ed25519.privateKey(row.privateKey))));
    }

    /** The key to sign with now; loaded once and kept. */
    public Uni<ActiveKey> active() {
        ActiveKey key = current;
        return key != null ? Uni.createFrom().item(key) : ensureActive();
    }

    /** The loaded active key, without touching the database (blocking callers cannot use Hibernate Reactive). */
    public Optional<ActiveKey> current() {
        return Optional.ofNullable(current);
    }

    /** Every key, oldest first: retired keys stay, so artifacts signed earlier keep verifying. */
    @WithSession
    public Uni<List<SigningKey>> all() {
        return repository.listOldestFirst();
    }

    private ActiveKey remember(ActiveKey key) {
        current = key;
        return key;
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }
}
