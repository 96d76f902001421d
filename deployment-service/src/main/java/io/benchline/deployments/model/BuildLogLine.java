package io.benchline.deployments.model;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import jakarta.persistence.Column;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/** One build log line; numbered per deployment, so a redelivered batch stores nothing twice. */
@Entity
@Table(name = "build_log_lines")
@IdClass(BuildLogLine.Key.class)
public class BuildLogLine {
    @Id
    @Column(name = "deployment_id")
    public String deploymentId;
    @Id
    public long number;
    public Instant timestamp;
    public String level;
    public String text;

    public static class Key implements Serializable {
        public String deploymentId;
        public long number;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && number == k.number && Objects.equals(deploymentId, k.deploymentId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(deploymentId, number);
        }
    }
}
