package io.benchline.cli.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.cli.Json;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Executes a deployment's entry point: {@code <python> <entry_point>} in the deployment folder, with
 * {@code BENCHLINE_DEPLOYMENT_ID}, {@code BENCHLINE_PROCEDURE_ID}, {@code BENCHLINE_RUN_ID} set, output
 * (stdout and stderr) to {@code <work>/runs/<run_id>.log}. Exit 0 is passed, any other exit failed; a run
 * that cannot start, or is killed because the agent stops, is error.
 */
public final class RunExecutor {
    public static final String PASSED = "passed";
    public static final String FAILED = "failed";
    public static final String ERROR = "error";

    private final String python;
    private final Path runsDir;
    private final Set<Process> running = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    public RunExecutor(String python, Path runsDir) {
        this.python = python;
        this.runsDir = runsDir;
    }

    /** How a run ended. */
    public record Result(String outcome, Integer exitCode, long durationMs) {
    }

    public Result execute(String runId, String procedureId, String deploymentId, Path deploymentDir,
            String fallbackEntryPoint) {
        long start = System.nanoTime();
        Path log = runsDir.resolve(runId + ".log");
        try {
            Files.createDirectories(runsDir);
            String entryPoint = entryPoint(deploymentDir, fallbackEntryPoint);
            Files.writeString(log, "# benchline run " + runId + " of " + procedureId + " deployment " + deploymentId
                    + " started " + Instant.now() + ": " + python + " " + entryPoint + System.lineSeparator(),
                    StandardCharsets.UTF_8);
            ProcessBuilder pb = new ProcessBuilder(List.of(python, entryPoint))
                    .directory(deploymentDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
            Map<String, String> env = pb.environment();
            env.put("BENCHLINE_DEPLOYMENT_ID", deploymentId);
            env.put("BENCHLINE_PROCEDURE_ID", procedureId);
            env.put("BENCHLINE_RUN_ID", runId);
            env.put("PYTHONUNBUFFERED", "1");
            Process process;
            synchronized (running) {
                if (stopping) {
                    throw new IOException("the agent is stopping");
                }
                process = pb.start();
                running.add(process);
            }
            int exit;
            try {
                exit = process.waitFor();
            } finally {
                running.remove(process);
            }
            long durationMs = millisSince(start);
            String outcome = stopping ? ERROR : exit == 0 ? PASSED : FAILED;
            appendLine(log, "# exit " + exit + " after " + durationMs + " ms: " + outcome);
            return new Result(outcome, exit, durationMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            appendLine(log, "# interrupted");
            return new Result(ERROR, null, millisSince(start));
        } catch (IOException | RuntimeException e) {
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            appendLine(log, "# the run could not be executed: " + e.getMessage() + System.lineSeparator() + trace);
            return new Result(ERROR, null, millisSince(start));
        }
    }

    /** Asks running processes (and their children) to end, then kills what is left after the grace period. */
    public void stopAll(Duration grace) {
        synchronized (running) {
            stopping = true;
        }
        for (Process p : running) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (Process p : running) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!p.waitFor(left, TimeUnit.NANOSECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The entry point from {@code manifest.json} ({@code procedure.entry_point}), else the fallback. */
    static String entryPoint(Path deploymentDir, String fallback) throws IOException {
        String entryPoint = null;
        Path manifest = deploymentDir.resolve("manifest.json");
        if (Files.exists(manifest)) {
            JsonNode node = Json.MAPPER.readTree(manifest.toFile());
            entryPoint = node.path("procedure").path("entry_point").asText(null);
        }
        if (entryPoint == null || entryPoint.isBlank()) {
            entryPoint = fallback;
        }
        if (entryPoint == null || entryPoint.isBlank()) {
            throw new IOException("no entry point: manifest.json has no procedure.entry_point");
        }
        Path root = deploymentDir.toAbsolutePath().normalize();
        Path file = root.resolve(entryPoint).normalize();
        if (!file.startsWith(root) || file.equals(root)) {
            throw new IOException("entry point " + entryPoint + " is outside the deployment folder");
        }
        if (!Files.isRegularFile(file)) {
            throw new IOException("entry point " + entryPoint + " does not exist in the deployment");
        }
        return root.relativize(file).toString();
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private static void appendLine(Path log, String line) {
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, line + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // the log is best effort; the outcome is reported regardless
        }
    }
}
