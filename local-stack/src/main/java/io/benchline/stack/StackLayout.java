package io.benchline.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the built project lives: the repository root, with each module's build output under it.
 * Found from the system property {@code benchline.root}, else by walking up from the working directory.
 */
public record StackLayout(Path root) {

    public static StackLayout detect() {
        String configured = System.getProperty("benchline.root", System.getenv("BENCHLINE_ROOT"));
        if (configured != null && !configured.isBlank()) {
            return new StackLayout(Path.of(configured).toAbsolutePath().normalize());
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.exists(dir.resolve("stack-kafka/pom.xml"))) {
                return new StackLayout(dir);
            }
            dir = dir.getParent();
        }
        throw new StackException("cannot find the Benchline checkout: run from inside it or set -Dbenchline.root");
    }

    /** The classpath a no-code module resolved into target/classpath.txt. */
    public String classpathOf(String module) {
        Path file = root.resolve(module).resolve("target/classpath.txt");
        if (!Files.exists(file)) {
            throw new StackException(file + " is missing: build first (./mvnw -q package -DskipTests)");
        }
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A service's runnable Quarkus application. */
    public Path quarkusRunJar(String module) {
        Path jar = root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new StackException(jar + " is missing: build first (./mvnw -q package -DskipTests)");
        }
        return jar;
    }

    public Path cliJar() {
        Path jar = root.resolve("cli/target/benchline.jar");
        if (!Files.exists(jar)) {
            throw new StackException(jar + " is missing: build first (./mvnw -q package -DskipTests)");
        }
        return jar;
    }
}
