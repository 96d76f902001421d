package io.benchline.artifacts.store;

import io.agroal.api.AgroalDataSource;
import io.benchline.artifacts.model.Digest;
import io.benchline.common.api.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

/**
 * The {@code artifacts} table, and the per-digest lock uploads and deletes take. Plain JDBC: the upload and delete
 * use cases block on the object store on worker threads, and the lock must be held across those calls, which
 * Hibernate Reactive cannot do from a blocking thread. The JDBC pool is the one Flyway already uses.
 */
@ApplicationScoped
public class ArtifactRecords {
    /** First key of the two-key advisory lock: this table's namespace ("artf"), so no other lock collides. */
    static final int LOCK_CLASS = 0x61727466;
    private final AgroalDataSource dataSource;

    public ArtifactRecords(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Work done while holding a digest's lock; what it records commits only if it returns normally. */
    @FunctionalInterface
    public interface LockedWork<T> {
        T run(Locked digest);
    }

    /**
     * Runs {@code work} in one transaction that holds {@code pg_advisory_xact_lock} for the digest, so an upload and
     * a delete of the same digest never overlap. The lock is released at commit or rollback (also when the
     * connection dies).
     */
    public <T> T withLock(Digest digest, LockedWork<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                try (PreparedStatement lock = connection.prepareStatement(
                        "select pg_advisory_xact_lock(?, hashtext(?))")) {
                    lock.setInt(1, LOCK_CLASS);
                    lock.setString(2, digest.toString());
                    lock.execute();
                }
                T result = work.run(new Locked(connection, digest));
                connection.commit();
                return result;
            } catch (RuntimeException | Error e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw ProblemException.unavailable("the database failed while holding the lock of " + digest + ": "
                    + e.getMessage());
        }
    }

    /** The row of one digest, inside {@link #withLock}. */
    public static final class Locked {
        private final Connection connection;
        private final Digest digest;

        private Locked(Connection connection, Digest digest) {
            this.connection = connection;
            this.digest = digest;
        }

        /** When bytes of this digest were last uploaded; empty when no upload is recorded (or it was deleted). */
        public Optional<Instant> lastUploadedAt() {
            try (PreparedStatement select = connection.prepareStatement(
                    "select last_uploaded_at from artifacts where digest = ?")) {
                select.setString(1, digest.toString());
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? Optional.of(row.getTimestamp(1).toInstant()) : Optional.empty();
                }
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read the artifact row of " + digest, e);
            }
        }

        /**
         * Records an upload now (the database's clock at this statement, after the lock was taken).
         *
         * @return the recorded time
         */
        public Instant recordUpload(long sizeBytes) {
            try (PreparedStatement upsert = connection.prepareStatement(
                    "insert into artifacts (digest, size_bytes, last_uploaded_at) values (?, ?, clock_timestamp())"
                            + " on conflict (digest) do update set size_bytes = excluded.size_bytes,"
                            + " last_uploaded_at = excluded.last_uploaded_at returning last_uploaded_at")) {
                upsert.setString(1, digest.toString());
                upsert.setLong(2, sizeBytes);
                try (ResultSet row = upsert.executeQuery()) {
                    row.next();
                    Timestamp at = row.getTimestamp(1);
                    return at.toInstant();
                }
            } catch (SQLException e) {
                throw new IllegalStateException("cannot record the upload of " + digest, e);
            }
        }

        /** Removes the row: the digest's bytes are gone. */
        public void forget() {
            try (PreparedStatement delete = connection.prepareStatement("delete from artifacts where digest = ?")) {
                delete.setString(1, digest.toString());
                delete.executeUpdate();
            } catch (SQLException e) {
                throw new IllegalStateException("cannot remove the artifact row of " + digest, e);
            }
        }
    }
}
