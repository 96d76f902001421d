package io.benchline.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Which servers {@link BenchlineInfra} starts: the embedded ones (the local stack's own PostgreSQL, Kafka and
 * S3Proxy) or Testcontainers images (those docker-compose.yml runs). Asked with the system property
 * {@value #PROPERTY} or the environment variable {@value #ENV}: {@code auto} (the default) takes containers only
 * where a Docker engine is reachable, {@code embedded} and {@code containers} force one. The decision itself is
 * {@link #decide}, a pure function; {@link #current()} feeds it this JVM's settings and engine.
 */
public final class InfraSelection {
    public static final String PROPERTY = "benchline.test.infra";
    public static final String ENV = "BENCHLINE_TEST_INFRA";

    /** What runs the servers. */
    public enum Backend { EMBEDDED, CONTAINERS }

    /** What was asked for. */
    enum Mode { AUTO, EMBEDDED, CONTAINERS }

    private InfraSelection() {
    }

    /** The system property wins over the environment; neither set (or blank) means {@code auto}. */
    static String requested(String property, String env) {
        if (property != null && !property.isBlank()) {
            return property;
        }
        if (env != null && !env.isBlank()) {
            return env;
        }
        return "auto";
    }

    /** The asked mode; an unknown value fails here, before anything probes for Docker. */
    static Mode mode(String requested) {
        String value = requested == null ? "" : requested.trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "", "auto" -> Mode.AUTO;
            case "embedded" -> Mode.EMBEDDED;
            case "containers" -> Mode.CONTAINERS;
            default -> throw new IllegalArgumentException("unknown " + PROPERTY + " (or " + ENV + ") value '"
                    + requested + "': use auto, embedded or containers");
        };
    }

    /**
     * The backend for a requested value and whether a Docker engine is reachable. {@code containers} without an
     * engine fails rather than falling back: whoever asked for containers should not get other servers silently.
     */
    public static Backend decide(String requested, boolean dockerReachable) {
        return switch (mode(requested)) {
            case EMBEDDED -> Backend.EMBEDDED;
            case AUTO -> dockerReachable ? Backend.CONTAINERS : Backend.EMBEDDED;
            case CONTAINERS -> {
                if (!dockerReachable) {
                    throw new IllegalStateException(PROPERTY + "=containers (or " + ENV
                            + ") asks for Testcontainers, but no Docker engine is reachable; start one (or set"
                            + " DOCKER_HOST), or use " + PROPERTY + "=embedded or auto");
                }
                yield Backend.CONTAINERS;
            }
        };
    }

    /**
     * This JVM's backend. Docker is only probed when it matters: never for {@code embedded}, and under
     * {@code auto} only after a cheap look for an engine, so a machine without one (as the build machines here)
     * never loads Testcontainers. An explicit {@code containers} asks Testcontainers directly, which also knows
     * engines configured elsewhere (~/.testcontainers.properties, Docker Desktop, colima).
     */
    public static Backend current() {
        String requested = requested(System.getProperty(PROPERTY), System.getenv(ENV));
        boolean docker = switch (mode(requested)) {
            case EMBEDDED -> false;
            case AUTO -> engineHinted() && testcontainersSeesDocker();
            case CONTAINERS -> testcontainersSeesDocker();
        };
        return decide(requested, docker);
    }

    /** DOCKER_HOST is set or the default socket exists: cheap, no Testcontainers class loaded. */
    static boolean engineHinted() {
        String host = System.getenv("DOCKER_HOST");
        return (host != null && !host.isBlank()) || Files.exists(Path.of("/var/run/docker.sock"));
    }

    private static boolean testcontainersSeesDocker() {
        try {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
