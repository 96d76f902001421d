package io.benchline.artifacts.uploads;

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
import java.util.function.Consumer;

/** The {@code uploads} table. Plain JDBC, like the artifact records: its callers block on the object store. */
@ApplicationScoped
public class UploadStore {
    private final AgroalDataSource dataSource;

    public UploadStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** What the CLI announced for one upload. */
    public record Upload(String id, String organizationId, long sizeBytes, String sha256, String createdByKeyId,
            Instant createdAt, Instant expiresAt) {
        public String objectKey() {
            return "uploads/" + organizationId + "/" + id + ".zip";
        }
    }

    public void insert(Upload upload) {
        try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement(
                "insert into uploads (id, organization_id, size_bytes, sha256, created_by_key_id, created_at,"
                        + " expires_at) values (?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, upload.id());
            insert.setString(2, upload.organizationId());
            insert.setLong(3, upload.sizeBytes());
            insert.setString(4, upload.sha256());
            insert.setString(5, upload.createdByKeyId());
            insert.setTimestamp(6, Timestamp.from(upload.createdAt()));
            insert.setTimestamp(7, Timestamp.from(upload.expiresAt()));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw unavailable("recording the upload", e);
        }
    }

    /** The organization's upload, unless it expired: another organization's is as absent as an unknown one. */
    public Optional<Upload> find(String organizationId, String id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(
                "select id, organization_id, size_bytes, sha256, created_by_key_id, created_at, expires_at"
                        + " from uploads where id = ? and organization_id = ? and expires_at > now()")) {
            select.setString(1, id);
            select.setString(2, organizationId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(upload(row)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw unavailable("reading the upload", e);
        }
    }

    /**
     * Claims up to {@code limit} expired uploads ({@code for update skip locked}, so sweepers on several instances
     * take different rows), hands each to {@code remove} (which deletes its object) and deletes the rows, in one
     * transaction: an object whose delete failed keeps its row for the next pass.
     *
     * @return how many were removed
     */
    public int removeExpired(int limit, Consumer<Upload> remove) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<Upload> expired = new ArrayList<>();
                try (PreparedStatement select = c.prepareStatement(
                        "select id, organization_id, size_bytes, sha256, created_by_key_id, created_at, expires_at"
                                + " from uploads where expires_at <= now() order by expires_at limit ?"
                                + " for update skip locked")) {
                    select.setInt(1, limit);
                    try (ResultSet row = select.executeQuery()) {
                        while (row.next()) {
                            expired.add(upload(row));
                        }
                    }
                }
                expired.forEach(remove);
                try (PreparedStatement delete = c.prepareStatement("delete from uploads where id = any(?)")) {
                    delete.setArray(1, c.createArrayOf("text", expired.stream().map(Upload::id).toArray()));
                    delete.executeUpdate();
                }
                c.commit();
                return expired.size();
            } catch (RuntimeException | SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw unavailable("removing expired uploads", e);
        }
    }

    private static Upload upload(ResultSet row) throws SQLException {
        return new Upload(row.getString(1), row.getString(2), row.getLong(3), row.getString(4), row.getString(5),
                row.getTimestamp(6).toInstant(), row.getTimestamp(7).toInstant());
    }

    private static ProblemException unavailable(String what, SQLException e) {
        return ProblemException.unavailable("the database failed " + what + ": " + e.getMessage());
    }
}
