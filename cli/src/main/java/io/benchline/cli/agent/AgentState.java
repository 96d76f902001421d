package io.benchline.cli.agent;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.benchline.cli.Json;
import io.benchline.cli.Log;
import io.benchline.cli.agent.AgentMessages.RunReport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * What the agent must remember across restarts, kept in {@code <work>/state.json} (written to a temporary
 * file, then renamed): the active deployment per procedure, the pointer last reported, handled run requests,
 * run reports not yet delivered and runs that were in progress. Not thread-safe: the {@link Agent} guards it.
 */
public final class AgentState {
    static final int MAX_HANDLED = 1000;

    /** The deployment a procedure runs now, the pointer version it was assigned under, and the one before. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Active(String deploymentId, long pointerVersion, String activatedAt, String previousDeploymentId) {
    }

    /** A pointer report the dispatcher accepted (or refused for good). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Reported(String deploymentId, long pointerVersion) {
    }

    /** A run that was started; if the agent dies it is reported finished with outcome error on the next start. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    /** A run in progress; {@code serialNumber} the unit's, when its run request named one. */
    public record InProgress(String runId, String procedureId, String deploymentId, String startedAt,
            String runRequestId, String serialNumber) {
        public InProgress(String runId, String procedureId, String deploymentId, String startedAt,
                String runRequestId) {
            this(runId, procedureId, deploymentId, startedAt, runRequestId, null);
        }
    }

    /** The persisted document. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public static final class Data {
        public int schemaVersion = 1;
        public Map<String, Active> active = new LinkedHashMap<>();
        public Map<String, Reported> reported = new LinkedHashMap<>();
        public List<String> handledRunRequests = new ArrayList<>();
        public List<RunReport> pendingReports = new ArrayList<>();
        public Map<String, InProgress> runsInProgress = new LinkedHashMap<>();
    }

    private final Path file;
    private final Data data;
    private final LinkedHashSet<String> handled;

    private AgentState(Path file, Data data) {
        this.file = file;
        this.data = data;
        this.handled = new LinkedHashSet<>(data.handledRunRequests);
    }

    /** Loads the state file; a missing file is a fresh state, an unreadable one is set aside and replaced. */
    public static AgentState load(Path file) throws IOException {
        Data data = new Data();
        if (Files.exists(file)) {
            try {
                data = Json.MAPPER.readValue(file.toFile(), Data.class);
                if (data.active == null) {
                    data.active = new LinkedHashMap<>();
                }
                if (data.reported == null) {
                    data.reported = new LinkedHashMap<>();
                }
                if (data.handledRunRequests == null) {
                    data.handledRunRequests = new ArrayList<>();
                }
                if (data.pendingReports == null) {
                    data.pendingReports = new ArrayList<>();
                }
                if (data.runsInProgress == null) {
                    data.runsInProgress = new LinkedHashMap<>();
                }
            } catch (IOException e) {
                Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + Instant.now().toEpochMilli());
                Files.move(file, aside);
                Log.error("state file %s cannot be read (%s); moved it to %s and starting fresh", file,
                        e.getMessage(), aside);
                data = new Data();
            }
        }
        return new AgentState(file, data);
    }

    public void save() throws IOException {
        data.handledRunRequests = new ArrayList<>(handled);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = dir.resolve(file.getFileName() + ".tmp");
        Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(temp.toFile(), data);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public Active active(String procedureId) {
        return data.active.get(procedureId);
    }

    public void activate(String procedureId, String deploymentId, long pointerVersion) {
        Active before = data.active.get(procedureId);
        String previous = before == null ? null
                : before.deploymentId().equals(deploymentId) ? before.previousDeploymentId() : before.deploymentId();
        data.active.put(procedureId, new Active(deploymentId, pointerVersion, Instant.now().toString(), previous));
    }

    /** Forgets a procedure (unlinked): its active deployment and its last reported pointer; answers the former. */
    public Active deactivate(String procedureId) {
        data.reported.remove(procedureId);
        return data.active.remove(procedureId);
    }

    public Map<String, Active> allActive() {
        return Map.copyOf(data.active);
    }

    public Reported reported(String procedureId) {
        return data.reported.get(procedureId);
    }

    public void reported(String procedureId, Reported reported) {
        data.reported.put(procedureId, reported);
    }

    public boolean handled(String runRequestId) {
        return handled.contains(runRequestId);
    }

    public void markHandled(String runRequestId) {
        handled.add(runRequestId);
        while (handled.size() > MAX_HANDLED) {
            handled.remove(handled.iterator().next());
        }
    }

    public void queue(RunReport report) {
        data.pendingReports.add(report);
    }

    public RunReport nextReport() {
        return data.pendingReports.isEmpty() ? null : data.pendingReports.get(0);
    }

    public void removeReport(RunReport report) {
        data.pendingReports.remove(report);
    }

    public int pendingReports() {
        return data.pendingReports.size();
    }

    public void started(InProgress run) {
        data.runsInProgress.put(run.runId(), run);
    }

    public boolean isRunning(String runId) {
        return data.runsInProgress.containsKey(runId);
    }

    public void ended(String runId) {
        data.runsInProgress.remove(runId);
    }

    public List<InProgress> runsInProgress() {
        return List.copyOf(data.runsInProgress.values());
    }
}
