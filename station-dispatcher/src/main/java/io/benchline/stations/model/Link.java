package io.benchline.stations.model;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.time.Instant;

/** A station follows one procedure, bound to production or to one preview branch. */
@Entity
@Table(name = "links")
@IdClass(StationProcedureKey.class)
public class Link extends PanacheEntityBase {
    public static final String PRODUCTION = "production";
    public static final String PREVIEW = "preview";

    @Id
    @Column(name = "station_id")
    public String stationId;
    @Id
    @Column(name = "procedure_id")
    public String procedureId;
    @Column(nullable = false)
    public String environment;
    /** null for production links. */
    public String branch;
    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
