package io.benchline.deployments.model;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;

import java.time.Instant;

/**
 * A procedure's repository credentials as stored: encrypted ({@code CredentialsCipher}), never in clear. Null on the
 * procedure when it has none.
 */
@Embeddable
public class RepositoryCredentials {
    public static final String TOKEN = "token";
    public static final String SSH_KEY = "ssh_key";

    /** token or ssh_key. */
    @Column(name = "credentials_type")
    public String type;
    /** The id of the key that sealed the value (benchline.secrets.key). */
    @Column(name = "credentials_key_id")
    public String keyId;
    @Column(name = "credentials_nonce")
    public byte[] nonce;
    /** AES-GCM ciphertext and tag of the JSON {@code {username, token}} or {@code {private_key}}. */
    @Column(name = "credentials_ciphertext")
    public byte[] ciphertext;
    @Column(name = "credentials_updated_at")
    public Instant updatedAt;
}
