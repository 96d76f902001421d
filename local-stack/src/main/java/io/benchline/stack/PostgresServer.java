package io.benchline.stack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;

/**
 * A real PostgreSQL server from embedded binaries (no system install, works as root through
 * {@code unshare -U}). The data folder persists across restarts when the caller keeps it.
 */
public final class PostgresServer implements AutoCloseable {
    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";
    private final EmbeddedPostgres postgres;
    private final Path dataDir;
    private final int port;

    private PostgresServer(EmbeddedPostgres postgres, Path dataDir, int port) {
        this.postgres = postgres;
        this.dataDir = dataDir;
        this.port = port;
    }

    public static PostgresServer start(Path dataDir, int port) {
        try {
            Files.createDirectories(dataDir);
            stopLeftover(dataDir);
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("fsync", "on")
                    .start();
            return new PostgresServer(pg, dataDir, port);
        } catch (IOException e) {
            throw new StackException("PostgreSQL did not start on port " + port + ": " + e.getMessage(), e);
        }
    }

    /** A postmaster left by a killed run still holds the data folder: stop it first. */
    static void stopLeftover(Path dataDir) {
        try {
            stopLeftoverPostmaster(dataDir);
        } catch (IOException e) {
            throw new StackException("cannot stop the PostgreSQL left in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    private static void stopLeftoverPostmaster(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").trim();
        try {
            long pid = Long.parseLong(first);
            // After a reboot the pid may belong to someone else now: only stop a postgres process.
            ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(h -> h.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                    .ifPresent(handle -> {
                System.out.println("stopping leftover PostgreSQL " + pid);
                ProcessSupervisor.destroy(handle, Duration.ofSeconds(15));
            });
        } catch (NumberFormatException ignored) {
            // unreadable pid file: PostgreSQL itself will report what is wrong
        }
        Files.deleteIfExists(pidFile);
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /**
     * The running postmaster, from its pid file. pg_ctl starts it detached, so it is no child of this JVM and
     * {@link ProcessSupervisor} does not manage it.
     */
    public Optional<ProcessHandle> postmaster() {
        try {
            String first = Files.readAllLines(dataDir.resolve("postmaster.pid")).stream().findFirst().orElse("").trim();
            return ProcessHandle.of(Long.parseLong(first)).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public String reactiveUrl(String database) {
        return "postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Creates the database unless it exists, and gives the stack's user a password for TCP logins. */
    public void createDatabase(String name) {
        if (!name.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("bad database name " + name);
        }
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("alter user " + USER + " with password '" + PASSWORD + "'");
            var rs = s.executeQuery("select 1 from pg_database where datname = '" + name + "'");
            if (!rs.next()) {
                s.execute("create database " + name);
            }
        } catch (SQLException e) {
            throw new StackException("cannot create database " + name + ": " + e.getMessage(), e);
        }
    }

    /** Drops and recreates a database (tests). */
    public void recreateDatabase(String name) {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("drop database if exists " + name + " with (force)");
        } catch (SQLException e) {
            throw new UncheckedIOException(new IOException(e));
        }
        createDatabase(name);
    }

    @Override
    public void close() {
        if (postmaster().isEmpty()) {
            // Already gone (killed or crashed): pg_ctl stop would only fail. The next start clears its pid file.
            return;
        }
        try {
            postgres.close();
        } catch (IOException e) {
            System.err.println("PostgreSQL did not stop cleanly: " + e.getMessage());
        }
    }
}
