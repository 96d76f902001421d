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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
                    // zonky's default is synchronous_commit=off: a commit returns before its WAL is written, and a
                    // crash of PostgreSQL (fault trials kill it) loses transactions the services were told had
                    // committed, such as a webhook already answered 202. A real server's default is on.
                    .setServerConfig("synchronous_commit", "on")
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

    /**
     * Kills the postmaster and every backend with SIGKILL, as a crash of the database host would: nothing is
     * shut down cleanly, and the next {@link #start} on the same folder runs PostgreSQL's crash recovery. This
     * object is spent afterwards.
     */
    public void kill() {
        Path pidFile = dataDir.resolve("postmaster.pid");
        try {
            long pid = Long.parseLong(Files.readAllLines(pidFile).stream().findFirst().orElse("").trim());
            ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow(
                    () -> new StackException("PostgreSQL " + pid + " is not running"));
            // Backends are the postmaster's children: take them before it dies and they are handed to init.
            List<ProcessHandle> all = new ArrayList<>(postmaster.descendants().toList());
            all.add(0, postmaster);
            all.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle h : all) {
                h.onExit().get(30, TimeUnit.SECONDS);
            }
            // zonky's lock on the folder must go, or a new server in this JVM cannot take it; without the pid file
            // its stop command finds no server (and only logs that), so it can never stop a newer one.
            Files.deleteIfExists(pidFile);
            postgres.close();
        } catch (IOException | NumberFormatException e) {
            throw new StackException("cannot kill PostgreSQL in " + dataDir + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while killing PostgreSQL");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new StackException("PostgreSQL did not die within 30 s of SIGKILL", e);
        }
    }

    public String jdbcUrl(String database) {
        return jdbcUrl(port, database);
    }

    public String reactiveUrl(String database) {
        return reactiveUrl(port, database);
    }

    public static String jdbcUrl(int port, String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public static String reactiveUrl(int port, String database) {
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
