package io.benchline.common.api;

import io.vertx.pgclient.PgException;
import org.hibernate.JDBCException;

import java.sql.SQLException;

/** Finds the PostgreSQL SQLSTATE behind an exception, however Hibernate Reactive or JDBC wrapped it. */
final class DatabaseErrors {
    private DatabaseErrors() {
    }

    /** The SQLSTATE of the first database error in the cause chain, or null. */
    static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String state = null;
            if (t instanceof PgException pg) {
                state = pg.getSqlState();
            } else if (t instanceof JDBCException jdbc) {
                state = jdbc.getSQLState();
            } else if (t instanceof SQLException sql) {
                state = sql.getSQLState();
            }
            if (state != null) {
                return state;
            }
        }
        return null;
    }

    /**
     * Class 22, "data exception": a value the database cannot take, e.g. 22021 (a NUL or a byte sequence that is not
     * UTF-8), 22P05 (NUL in JSON), 22001 (too long for the column), 22003 (a number out of range), 22P02 (not a
     * number, UUID, ... at all), 22007/22008 (a date or time out of range). Caused by the request, never by the server.
     */
    static boolean isDataException(String sqlState) {
        return sqlState != null && sqlState.startsWith("22");
    }
}
