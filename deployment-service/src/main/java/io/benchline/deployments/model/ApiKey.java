package io.benchline.deployments.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** An API key of an organization, kept only as the SHA-256 hex of the key. */
@Entity
@Table(name = "api_keys")
public class ApiKey {
    @Id
    public String id;
    @Column(name = "org_id")
    public String orgId;
    @Column(name = "key_hash")
    public String keyHash;
    public String name;
    /** admin, member or viewer ({@link io.benchline.common.auth.Role#wire()}). */
    public String role;
    @Column(name = "created_at")
    public Instant createdAt;
    /** When the key stopped working; null while it is valid. */
    @Column(name = "revoked_at")
    public Instant revokedAt;
    /** The key that created this one through the API; null for a bootstrap key. */
    @Column(name = "created_by_key_id")
    public String createdByKeyId;

    public boolean isRevoked() {
        return revokedAt != null;
    }
}
