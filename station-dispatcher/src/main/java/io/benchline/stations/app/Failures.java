package io.benchline.stations.app;

/** Recognizes database errors that are answers, not faults. */
final class Failures {
    private Failures() {
    }

    /** A unique constraint (SQL state 23505) anywhere in the cause chain. */
    static boolean isUniqueViolation(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof org.hibernate.exception.ConstraintViolationException c && "23505".equals(c.getSQLState())) {
                return true;
            }
            if (t instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState())) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
