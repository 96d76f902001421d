package io.benchline.deployments.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** A tenant: every procedure, deployment and API key belongs to exactly one. */
@Entity
@Table(name = "organizations")
public class Organization {
    @Id
    public String id;
    public String name;
    @Column(name = "created_at")
    public Instant createdAt;
}
