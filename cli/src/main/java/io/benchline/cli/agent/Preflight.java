package io.benchline.cli.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.cli.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes a verified, unpacked TofuPilot-format deployment ready to run before it may become active: a virtual
 * environment of the deployment's resolved Python ({@code .venv} in its folder) with its vendored wheels
 * ({@code wheels/}) installed offline ({@code pip --no-index}, exactly the vendored set). The swap between runs then
 * does nothing but switch folders. A failure keeps the output; the caller keeps the active version and reports it.
 * Simple-format deployments need nothing.
 */
final class Preflight {
    static final String VENV = ".venv";
    static final String DONE = ".venv/benchline-installed";
    private static final long TIMEOUT_MINUTES = 10;

    /** Why a deployment cannot be made ready, with the tail of what the installer printed. */
    static final class InstallFailure extends Exception {
        InstallFailure(String message) {
            super(message);
        }
    }

    private final String python;
    private final Path logs;

    Preflight(String python, Path logs) {
        this.python = python;
        this.logs = logs;
    }

    /** Whether this deployment needs an environment (its manifest names the TofuPilot format). */
    static boolean needed(Path deploymentDir) throws IOException {
        return RunExecutor.TOFUPILOT.equals(RunExecutor.format(deploymentDir));
    }

    /** The environment's interpreter, for runs. */
    static Path interpreter(Path deploymentDir) {
        boolean windows = System.getProperty("os.name").startsWith("Windows");
        return deploymentDir.resolve(VENV).resolve(windows ? "Scripts/python.exe" : "bin/python");
    }

    /** Creates the environment and installs the wheels, unless done before; returns what it did, for the log. */
    String prepare(String deploymentId, Path deploymentDir) throws IOException, InstallFailure {
        if (Files.exists(deploymentDir.resolve(DONE))) {
            return "environment ready from before";
        }
        JsonNode manifest = Json.MAPPER.readTree(deploymentDir.resolve("manifest.json").toFile());
        String runtime = manifest.path("procedure").path("runtime_version").asText("");
        String base = interpreterFor(runtime);
        Files.createDirectories(logs);
        Path log = logs.resolve(deploymentId + ".log");
        Files.deleteIfExists(log);
        Path venv = deploymentDir.resolve(VENV);
        if (Files.exists(venv)) {
            Unpacker.deleteRecursively(venv); // a half-made environment from an earlier attempt
        }
        run(log, List.of(base, "-m", "venv", venv.toString()), deploymentDir, "creating the environment");
        List<String> wheels = new ArrayList<>();
        Path wheelsDir = deploymentDir.resolve("wheels");
        if (Files.isDirectory(wheelsDir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(wheelsDir, "*.whl")) {
                files.forEach(w -> wheels.add(w.toString()));
            }
        }
        if (!wheels.isEmpty()) {
            List<String> install = new ArrayList<>(List.of(interpreter(deploymentDir).toString(), "-m", "pip",
                    // --isolated: no pip.conf or PIP_* of the station adds an index or other wheels
                    "--isolated", "install", "--no-index", "--no-deps", "--disable-pip-version-check", "--no-input",
                    "--find-links", wheelsDir.toString()));
            wheels.stream().sorted().forEach(install::add);
            run(log, install, deploymentDir, "installing " + wheels.size() + " vendored wheels");
        }
        Files.writeString(deploymentDir.resolve(DONE), runtime + "\n");
        return "python " + runtime + " environment with " + wheels.size() + " vendored packages";
    }

    /** {@code python3.X} for the deployment's runtime when the station has it, else {@code --python} if it is 3.X. */
    private String interpreterFor(String runtime) throws IOException, InstallFailure {
        if (runtime.isBlank()) {
            return python;
        }
        List<String> tried = new ArrayList<>();
        for (String candidate : List.of("python" + runtime, python)) {
            String version = version(candidate);
            tried.add(candidate + (version == null ? " (not found)" : " (" + version + ")"));
            if (runtime.equals(version)) {
                return candidate;
            }
        }
        throw new InstallFailure("the deployment needs Python " + runtime + ", which this station does not have"
                + " (tried " + String.join(", ", tried) + "); install it, or point --python at it");
    }

    /** The interpreter's major.minor, or null when it does not run. */
    private static String version(String interpreter) {
        try {
            Process p = new ProcessBuilder(interpreter, "-c",
                    "import sys; print('%d.%d' % sys.version_info[:2])").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return null;
            }
            return out.matches("\\d+\\.\\d+") ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static void run(Path log, List<String> command, Path directory, String what)
            throws IOException, InstallFailure {
        Files.writeString(log, "# " + String.join(" ", command) + System.lineSeparator(), StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        Process p = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        try {
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new InstallFailure(what + " took longer than " + TIMEOUT_MINUTES + " minutes");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new InstallFailure(what + " was interrupted");
        }
        if (p.exitValue() != 0) {
            throw new InstallFailure(what + " failed (exit " + p.exitValue() + "): " + tail(log));
        }
    }

    /** The last lines of the install log, for the report. */
    static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 12), lines.size())).strip();
        return tail.length() > 1500 ? tail.substring(tail.length() - 1500) : tail;
    }
}
