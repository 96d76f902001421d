package io.benchline.artifacts.store;

import io.agroal.api.AgroalDataSource;
import io.benchline.common.api.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code signing_keys} table: one active key per organization (unique partial index), retired keys kept so
 * older artifacts keep verifying. Plain JDBC, like {@link ArtifactRecords}: uploads sign on worker threads, and a
 * rotation holds the organization's advisory lock across its statements.
 */
@ApplicationScoped
public class SigningKeyStore {
    /** First key of the two-key advisory lock: this table's namespace ("sign"). */
    static final int LOCK_CLASS = 0x7369676e;
    private static final String COLUMNS = "id, organization_id, algorithm, public_key, private_key, created_at,"
            + " activated_at, retired_at";
    private final AgroalDataSource dataSource;

    public SigningKeyStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A stored key pair; {@code privateKey} is PKCS#8 DER, {@code publicKey} X.509 SPKI DER. */
    public record StoredKey(String id, String organizationId, String algorithm, byte[] publicKey, byte[] privateKey,
            Instant createdAt, Instant activatedAt, Instant retiredAt) {
        public boolean active() {
            return retiredAt == null;
        }
    }

    /** A new key pair to store. */
    public record NewKey(String id, String algorithm, byte[] publicKey, byte[] privateKey) {
    }

    /** What {@link #rotate} did: the key that became active and the one it retired (empty for the first key). */
    public record Rotation(StoredKey activated, Optional<StoredKey> retired) {
    }

    public Optional<StoredKey> findActive(String organizationId) {
        return inTransaction(c -> active(c, organizationId));
    }

    /**
     * The organization's active key, creating {@code candidate} as its first key when it has none. Runs under the
     * organization's lock, so concurrent first uploads agree on one key.
     */
    public StoredKey activeOrCreate(String organizationId, java.util.function.Supplier<NewKey> candidate) {
        Optional<StoredKey> existing = findActive(organizationId);
        if (existing.isPresent()) {
            return existing.get();
        }
        return inTransaction(c -> {
            lock(c, organizationId);
            Optional<StoredKey> again = active(c, organizationId);
            if (again.isPresent()) {
                return again.get();
            }
            return insertActive(c, organizationId, candidate.get());
        });
    }

    /**
     * Retires the organization's active key (if any) and makes {@code next} the active one, in one transaction
     * under the organization's lock. Concurrent rotations run one after the other; each retires the key the one
     * before it activated, so exactly one key stays active.
     */
    public Rotation rotate(String organizationId, NewKey next) {
        return inTransaction(c -> {
            lock(c, organizationId);
            Optional<StoredKey> before = active(c, organizationId);
            Optional<StoredKey> retired = Optional.empty();
            if (before.isPresent()) {
                try (PreparedStatement retire = c.prepareStatement("update signing_keys set retired_at = clock_timestamp()"
                        + " where id = ? and retired_at is null returning " + COLUMNS)) {
                    retire.setString(1, before.get().id());
                    try (ResultSet rs = retire.executeQuery()) {
                        retired = rs.next() ? Optional.of(read(rs)) : Optional.empty();
                    }
                }
            }
            return new Rotation(insertActive(c, organizationId, next), retired);
        });
    }

    /** Every key of the organization, active and retired, newest first. */
    public List<StoredKey> list(String organizationId) {
        return inTransaction(c -> {
            try (PreparedStatement select = c.prepareStatement("select " + COLUMNS + " from signing_keys"
                    + " where organization_id = ? order by created_at desc, id desc")) {
                select.setString(1, organizationId);
                List<StoredKey> keys = new ArrayList<>();
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        keys.add(read(rs));
                    }
                }
                return keys;
            }
        });
    }

    private static Optional<StoredKey> active(Connection c, String organizationId) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("select " + COLUMNS + " from signing_keys"
                + " where organization_id = ? and retired_at is null")) {
            select.setString(1, organizationId);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    private static StoredKey insertActive(Connection c, String organizationId, NewKey key) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("insert into signing_keys (id, organization_id, algorithm,"
                + " public_key, private_key, created_at, activated_at) values (?, ?, ?, ?, ?, clock_timestamp(),"
                + " clock_timestamp()) returning " + COLUMNS)) {
            insert.setString(1, key.id());
            insert.setString(2, organizationId);
            insert.setString(3, key.algorithm());
            insert.setBytes(4, key.publicKey());
            insert.setBytes(5, key.privateKey());
            try (ResultSet rs = insert.executeQuery()) {
                rs.next();
                return read(rs);
            }
        }
    }

    private static void lock(Connection c, String organizationId) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("select pg_advisory_xact_lock(?, hashtext(?))")) {
            lock.setInt(1, LOCK_CLASS);
            lock.setString(2, organizationId);
            lock.execute();
        }
    }

    private static StoredKey read(ResultSet rs) throws SQLException {
        return new StoredKey(rs.getString("id"), rs.getString("organization_id"), rs.getString("algorithm"),
                rs.getBytes("public_key"), rs.getBytes("private_key"), instant(rs.getTimestamp("created_at")),
                instant(rs.getTimestamp("activated_at")), instant(rs.getTimestamp("retired_at")));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private <T> T inTransaction(Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw ProblemException.unavailable("the signing keys could not be read or written: " + e.getMessage());
        }
    }
}
