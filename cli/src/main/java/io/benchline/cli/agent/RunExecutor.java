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
 * Executes a run in the deployment folder, with {@code BENCHLINE_DEPLOYMENT_ID}, {@code BENCHLINE_PROCEDURE_ID},
 * {@code BENCHLINE_RUN_ID} (and {@code BENCHLINE_SERIAL_NUMBER} when the run request names the unit) set, output
 * (stdout and stderr) to {@code <work>/runs/<run_id>.log}:
 * <ul>
 *   <li>a simple-format procedure: {@code <python> <entry_point>}; exit 0 is passed, any other exit failed;</li>
 *   <li>a TofuPilot-format procedure ({@code manifest.json} {@code procedure.format: tofupilot}): the configured
 *   runner command, else the built-in runner ({@code benchline_runner.py}, shipped in this jar), given the procedure
 *   as JSON; the runner writes each phase's outcome and the run's to {@code <work>/runs/<run_id>/results.json}.</li>
 * </ul>
 * A run that cannot start, or is killed because the agent stops, is error.
 */
public final class RunExecutor {
    public static final String PASSED = "passed";
    public static final String FAILED = "failed";
    public static final String ERROR = "error";

    static final String RUNNER = "benchline_runner.py";
    private static final com.fasterxml.jackson.databind.ObjectMapper YAML =
            new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());

    private final String python;
    private final Path runsDir;
    private final List<String> runnerCommand;
    private final Set<Process> running = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    public RunExecutor(String python, Path runsDir) {
        this(python, runsDir, List.of());
    }

    /**
     * @param runnerCommand the command that runs a TofuPilot-format procedure (given the procedure JSON's and the
     *                      results file's paths as its two last arguments); empty: the built-in runner
     */
    public RunExecutor(String python, Path runsDir, List<String> runnerCommand) {
        this.python = python;
        this.runsDir = runsDir;
        this.runnerCommand = List.copyOf(runnerCommand);
    }

    /**
     * How a run ended; {@code phases} for a TofuPilot-format procedure; {@code serialNumber} the unit's (the one the
     * runner reported, else the run request's).
     */
    public record Result(String outcome, Integer exitCode, long durationMs, List<AgentMessages.PhaseResult> phases,
            String serialNumber) {
        public Result(String outcome, Integer exitCode, long durationMs) {
            this(outcome, exitCode, durationMs, null, null);
        }
    }

    public Result execute(String runId, String procedureId, String deploymentId, Path deploymentDir,
            String fallbackEntryPoint) {
        return execute(runId, procedureId, deploymentId, deploymentDir, fallbackEntryPoint, null);
    }

    public Result execute(String runId, String procedureId, String deploymentId, Path deploymentDir,
            String fallbackEntryPoint, String serialNumber) {
        long start = System.nanoTime();
        Path log = runsDir.resolve(runId + ".log");
        try {
            Files.createDirectories(runsDir);
            boolean tofuPilot = TOFUPILOT.equals(format(deploymentDir));
            Path results = runsDir.resolve(runId).resolve("results.json");
            List<String> command = tofuPilot ? runnerCommand(runId, deploymentDir, results)
                    : List.of(python, entryPoint(deploymentDir, fallbackEntryPoint));
            Files.writeString(log, "# benchline run " + runId + " of " + procedureId + " deployment " + deploymentId
                    + " started " + Instant.now() + ": " + String.join(" ", command) + System.lineSeparator(),
                    StandardCharsets.UTF_8);
            ProcessBuilder pb = new ProcessBuilder(command)
                    .directory(deploymentDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
            Map<String, String> env = pb.environment();
            env.put("BENCHLINE_DEPLOYMENT_ID", deploymentId);
            env.put("BENCHLINE_PROCEDURE_ID", procedureId);
            env.put("BENCHLINE_RUN_ID", runId);
            env.put("PYTHONUNBUFFERED", "1");
            if (serialNumber != null) {
                env.put("BENCHLINE_SERIAL_NUMBER", serialNumber);
            }
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
            if (tofuPilot) {
                return runnerResult(log, results, exit, durationMs, serialNumber);
            }
            String outcome = stopping ? ERROR : exit == 0 ? PASSED : FAILED;
            appendLine(log, "# exit " + exit + " after " + durationMs + " ms: " + outcome);
            return new Result(outcome, exit, durationMs, null, serialNumber);
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

    static final String TOFUPILOT = "tofupilot";

    /** The procedure format {@code manifest.json} names ({@code simple} when it names none). */
    static String format(Path deploymentDir) throws IOException {
        Path manifest = deploymentDir.resolve("manifest.json");
        if (!Files.exists(manifest)) {
            return "simple";
        }
        return Json.MAPPER.readTree(manifest.toFile()).path("procedure").path("format").asText("simple");
    }

    /** The runner's command line: procedure.yaml as JSON beside the results, then the runner. */
    private List<String> runnerCommand(String runId, Path deploymentDir, Path results) throws IOException {
        Path procedureYaml = deploymentDir.resolve("procedure.yaml");
        if (!Files.isRegularFile(procedureYaml)) {
            throw new IOException("the deployment has no procedure.yaml");
        }
        Files.createDirectories(results.getParent());
        Path procedureJson = results.resolveSibling("procedure.json");
        Json.MAPPER.writeValue(procedureJson.toFile(), YAML.readTree(procedureYaml.toFile()));
        List<String> command = new java.util.ArrayList<>();
        if (runnerCommand.isEmpty()) {
            // The deployment's own environment (Preflight) when it has one: its Python, its packages.
            Path venvPython = Preflight.interpreter(deploymentDir);
            command.add(Files.isExecutable(venvPython) ? venvPython.toString() : python);
            command.add(builtInRunner().toString());
        } else {
            command.addAll(runnerCommand);
        }
        command.add(procedureJson.toAbsolutePath().toString());
        command.add(results.toAbsolutePath().toString());
        return command;
    }

    /** The built-in runner, written from this jar next to the runs (again whenever the jar's copy differs). */
    private Path builtInRunner() throws IOException {
        byte[] script;
        try (var in = RunExecutor.class.getResourceAsStream(RUNNER)) {
            if (in == null) {
                throw new IOException(RUNNER + " is missing from the agent's jar");
            }
            script = in.readAllBytes();
        }
        Path target = runsDir.resolveSibling("runner").resolve(RUNNER);
        synchronized (RunExecutor.class) {
            if (!Files.exists(target) || !java.util.Arrays.equals(Files.readAllBytes(target), script)) {
                Files.createDirectories(target.getParent());
                Path temp = Files.createTempFile(target.getParent(), RUNNER, ".tmp");
                Files.write(temp, script);
                Files.move(temp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
        }
        return target;
    }

    /** The run's outcome as the runner wrote it; without its results file, exit 0 passed, 1 failed, else error. */
    private Result runnerResult(Path log, Path results, int exit, long durationMs, String serialNumber) {
        if (stopping) {
            appendLine(log, "# exit " + exit + " after " + durationMs + " ms: error (the agent is stopping)");
            return new Result(ERROR, exit, durationMs, null, serialNumber);
        }
        try {
            JsonNode node = Json.MAPPER.readTree(results.toFile());
            String outcome = node.path("outcome").asText(ERROR);
            if (!List.of(PASSED, FAILED, ERROR).contains(outcome)) {
                outcome = ERROR;
            }
            List<AgentMessages.PhaseResult> phases = new java.util.ArrayList<>();
            for (JsonNode phase : node.path("phases")) {
                phases.add(Json.MAPPER.treeToValue(phase, PhaseResultJson.class).toResult());
            }
            String serial = node.path("unit").path("serial_number").asText(null);
            appendLine(log, "# exit " + exit + " after " + durationMs + " ms: " + outcome + " (" + phases.size()
                    + " phases)");
            return new Result(outcome, exit, durationMs, phases, serial == null ? serialNumber : serial);
        } catch (IOException e) {
            String outcome = exit == 0 ? PASSED : exit == 1 ? FAILED : ERROR;
            appendLine(log, "# exit " + exit + " after " + durationMs + " ms: " + outcome + " (no results: "
                    + e.getMessage() + ")");
            return new Result(outcome, exit, durationMs, null, serialNumber);
        }
    }

    /** A phase as the runner writes it (snake_case). */
    @com.fasterxml.jackson.databind.annotation.JsonNaming(
            com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
    record PhaseResultJson(String key, String name, String group, String outcome, Integer attempts, Long durationMs,
            String message, List<AgentMessages.MeasurementResult> measurements) {
        AgentMessages.PhaseResult toResult() {
            return new AgentMessages.PhaseResult(key, name, group, outcome, attempts, durationMs, message,
                    measurements);
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
