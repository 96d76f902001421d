package io.benchline.artifacts.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;

/** A stored Ed25519 key pair; {@code privateKey} is PKCS#8 DER, {@code publicKey} X.509 SPKI DER. */
@Entity
@Table(name = "signing_keys")
public class SigningKey {
    @Id
    @Column(name = "key_id")
    public String keyId;

    @Column(name = "public_key", nullable = false)
    public byte[] publicKey;

    @Column(name = "private_key", nullable = false)
    public byte[] privateKey;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(nullable = false)
    public boolean active;
}
