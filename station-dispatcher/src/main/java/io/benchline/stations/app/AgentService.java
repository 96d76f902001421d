package io.benchline.stations.app;

import io.benchline.common.api.ProblemException;
import io.benchline.common.auth.IntrospectingApiKeyVerifier;
import io.benchline.common.outbox.Outbox;
import io.benchline.common.tracing.TraceParent;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.benchline.events.EventCodec;
import io.benchline.events.EventTypes;
import io.benchline.events.StationRun;
import io.benchline.events.Topics;
import io.benchline.stations.model.Pointer;
import io.benchline.stations.model.ProjectedDeployment;
import io.benchline.stations.model.Run;
import io.benchline.stations.model.Station;
import io.benchline.stations.store.AgentSnapshotQuery;
import io.benchline.stations.store.DeploymentProjectionRepository;
import io.benchline.stations.store.PointerRepository;
import io.benchline.stations.store.RunRepository;
import io.benchline.stations.store.RunRequestRepository;
import io.benchline.stations.store.StationRepository;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** Use cases of the agent channel. Every call authenticates the agent token and notes the station as seen. */
@ApplicationScoped
public class AgentService {
    public static final String STARTED = "started";
    public static final String FINISHED = "finished";
    private static final List<String> OUTCOMES = List.of("passed", "failed", "error");

    private final StationRepository stations;
    private final PointerRepository pointers;
    private final DeploymentProjectionRepository deployments;
    private final RunRequestRepository runRequests;
    private final RunRepository runs;
    private final Outbox outbox;
    private final DispatcherConfig config;
    private final AgentSnapshotQuery snapshots;
    private final ArtifactStoreClient artifacts;
    private final Tracer tracer;

    private final io.benchline.stations.store.TimelineRepository timeline;

    public AgentService(StationRepository stations, PointerRepository pointers,
            DeploymentProjectionRepository deployments, RunRequestRepository runRequests, RunRepository runs,
            Outbox outbox, DispatcherConfig config, AgentSnapshotQuery snapshots, ArtifactStoreClient artifacts,
            Tracer tracer, io.benchline.stations.store.TimelineRepository timeline) {
        this.timeline = timeline;
        this.tracer = tracer;
        this.artifacts = artifacts;
        this.config = config;
        this.snapshots = snapshots;
        this.stations = stations;
        this.pointers = pointers;
        this.deployments = deployments;
        this.runRequests = runRequests;
        this.runs = runs;
        this.outbox = outbox;
    }

    /** What the station should run now, with the artifacts, and the run requests not yet claimed. */
    public record Snapshot(String stationId, String organizationId, List<AgentSnapshotQuery.AssignedPointer> pointers,
            List<AgentSnapshotQuery.OpenRunRequest> runRequests) {
    }

    /** A run report as the agent sent it. */
    public record RunReport(String runId, String procedureId, String deploymentId, String phase, String outcome,
            Instant at, Long durationMs, String runRequestId, String serialNumber,
            List<StationRun.PhaseResult> phaseResults) {
        public RunReport(String runId, String procedureId, String deploymentId, String phase, String outcome,
                Instant at, Long durationMs, String runRequestId) {
            this(runId, procedureId, deploymentId, phase, outcome, at, durationMs, runRequestId, null, null);
        }
    }

    /** The run as stored, and whether this report was new (false: a retried report, nothing published). */
    public record RunResult(Run run, boolean recorded) {
    }

    /** One assignment as the agent acts on it: the pointer, its artifact and where to download it (null: not now). */
    public record Assigned(AgentSnapshotQuery.AssignedPointer pointer, String downloadUrl) {
    }

    /**
     * The snapshot's pointers that have an artifact, each with a presigned download URL (cached per digest; null
     * when artifact-store cannot give one now: the agent asks again).
     */
    public Uni<List<Assigned>> assigned(Snapshot snapshot) {
        List<Uni<Assigned>> all = new java.util.ArrayList<>();
        for (AgentSnapshotQuery.AssignedPointer p : snapshot.pointers()) {
            if (p.digest() != null) {
                all.add(artifacts.downloadUrl(p.digest()).map(url -> new Assigned(p, url.orElse(null))));
            }
        }
        return all.isEmpty() ? Uni.createFrom().item(List.of()) : Uni.join().all(all).andFailFast();
    }

    /** One statement (see {@link AgentSnapshotQuery}); 401 for a token no station has. */
    public Uni<Snapshot> snapshot(String authorization) {
        String hash;
        try {
            hash = tokenHash(authorization);
        } catch (ProblemException e) {
            return Uni.createFrom().failure(e);
        }
        return snapshots.read(hash, config.lastSeenResolution()).map(row -> {
            if (row == null) {
                throw ProblemException.unauthorized("the agent token is not valid");
            }
            return new Snapshot(row.stationId(), row.orgId(), row.pointers(), row.runRequests());
        });
    }

    /**
     * The public signing keys of the station's organization (active and retired), as artifact-store lists them,
     * with their tag; {@code keys == null} when they did not change since {@code ifNoneMatch}. Only the station's
     * own organization's keys: another organization's artifact cannot verify on it.
     */
    public Uni<ArtifactStoreClient.TrustedKeys> trustedKeys(String authorization, String ifNoneMatch) {
        // The token is checked in a transaction of its own: no connection is held while artifact-store answers.
        return io.quarkus.hibernate.reactive.panache.Panache.withTransaction(() -> authenticate(authorization)
                        .map(station -> station.orgId))
                .chain(orgId -> artifacts.keys(orgId, ifNoneMatch));
    }

    /**
     * The last hop of a traced move: for each assignment of this answer that a traced move made and the agent has
     * not reported running yet, a span in the move's trace (linked to the agent's request, which is a trace of its
     * own: the agent asked before the move happened).
     */
    public void traceDelivered(Snapshot snapshot) {
        for (AgentSnapshotQuery.AssignedPointer p : snapshot.pointers()) {
            TraceParent trace = p.trace();
            if (trace == null) {
                continue;
            }
            Span span = tracer.spanBuilder("agent assignment").setSpanKind(SpanKind.INTERNAL)
                    .setParent(trace.context()).addLink(Span.current().getSpanContext()).startSpan();
            span.setAttribute("benchline.station.id", snapshot.stationId());
            span.setAttribute("benchline.procedure.id", p.procedureId());
            span.setAttribute("benchline.deployment.id", p.deploymentId());
            span.setAttribute("benchline.pointer.version", p.pointerVersion());
            span.end();
        }
    }

    /** The agent runs the assigned deployment: the move's trace ends here, and later answers carry no trace. */
    private void traceSwitched(Pointer pointer, long reportedVersion) {
        TraceParent trace = TraceParent.of(pointer.traceparent, pointer.tracestate);
        if (trace == null) {
            return;
        }
        Span span = tracer.spanBuilder("agent switched").setSpanKind(SpanKind.INTERNAL)
                .setParent(trace.context()).addLink(Span.current().getSpanContext()).startSpan();
        span.setAttribute("benchline.station.id", pointer.stationId);
        span.setAttribute("benchline.procedure.id", pointer.procedureId);
        span.setAttribute("benchline.deployment.id", pointer.deploymentId);
        span.setAttribute("benchline.pointer.version", reportedVersion);
        span.end();
        pointer.traceparent = null;
        pointer.tracestate = null;
    }

    public static final List<String> AGENT_STATES = List.of("downloading", "installing", "staged", "draining", "active",
            "failed");
    static final int MAX_REASON = 2_000;

    /**
     * Records what the agent does with a deployment of a procedure (downloading, installing, staged, draining with
     * why, active, failed with the reason). {@code staged_since} starts when a deployment is first staged and ends
     * when one is active.
     */
    @WithTransaction
    public Uni<Pointer> reportPointerState(String authorization, String procedureId, String deploymentId,
            String state, String reason) {
        return authenticate(authorization).invoke(() -> {
            Ids.procedure("procedure_id", procedureId);
            Ids.deployment("deployment_id", deploymentId);
            if (state == null || !AGENT_STATES.contains(state)) {
                throw ProblemException.invalid("state", "must be one of " + String.join(", ", AGENT_STATES));
            }
            if (reason != null && (reason.length() > MAX_REASON || reason.chars().anyMatch(c -> c == 0))) {
                throw ProblemException.invalid("reason", "at most " + MAX_REASON + " characters, no NUL");
            }
        }).chain(station -> pointers.lock(station.id, procedureId).chain(pointer -> {
            if (pointer == null) {
                throw ProblemException.notFound("link of procedure", procedureId);
            }
            return requireDeploymentOf(procedureId, deploymentId).call(d -> {
                boolean changed = !state.equals(pointer.agentState)
                        || !deploymentId.equals(pointer.agentStateDeploymentId);
                return changed ? timeline.agentState(station.id, station.orgId, procedureId, deploymentId, state,
                        "failed".equals(state) || "draining".equals(state) ? reason : null)
                        : Uni.createFrom().voidItem();
            }).map(d -> {
                Instant now = StationService.now();
                pointer.agentState = state;
                pointer.agentStateDeploymentId = deploymentId;
                pointer.agentStateReason = "failed".equals(state) || "draining".equals(state) ? reason : null;
                pointer.agentStateAt = now;
                if ("staged".equals(state) && pointer.stagedSince == null) {
                    pointer.stagedSince = now;
                } else if ("active".equals(state)) {
                    pointer.stagedSince = null;
                }
                return pointer;
            });
        }));
    }

    /** Records what the agent runs now for a procedure. */
    @WithTransaction
    public Uni<Pointer> reportPointer(String authorization, String procedureId, String deploymentId,
            Long pointerVersion) {
        return authenticate(authorization).invoke(() -> {
            Ids.procedure("procedure_id", procedureId);
            Ids.deployment("deployment_id", deploymentId);
            if (pointerVersion == null || pointerVersion < 0) {
                throw ProblemException.invalid("pointer_version", "is required and must be at least 0");
            }
        }).chain(station -> pointers.lock(station.id, procedureId)
                .chain(pointer -> {
                    if (pointer == null) {
                        throw ProblemException.notFound("link of procedure", procedureId);
                    }
                    if (pointerVersion > pointer.pointerVersion) {
                        throw ProblemException.conflict("unknown-pointer-version", "pointer version " + pointerVersion
                                + " was never assigned; the newest is " + pointer.pointerVersion);
                    }
                    return requireDeploymentOf(procedureId, deploymentId).map(d -> {
                        pointer.actualDeploymentId = deploymentId;
                        pointer.actualReportedAt = StationService.now();
                        if (deploymentId.equals(pointer.deploymentId)) {
                            traceSwitched(pointer, pointerVersion);
                        }
                        return pointer;
                    });
                }));
    }

    /**
     * Records a run phase and publishes it on station.runs. A retried report (same run id and phase)
     * publishes nothing; a finished report naming another deployment than the run started on is refused.
     */
    @WithTransaction
    public Uni<RunResult> reportRun(String authorization, RunReport report) {
        return authenticate(authorization).invoke(() -> validate(report)).chain(station -> pointers.find(station.id, report.procedureId())
                .chain(pointer -> {
                    if (pointer == null) {
                        throw ProblemException.notFound("link of procedure", report.procedureId());
                    }
                    return requireDeploymentOf(report.procedureId(), report.deploymentId());
                })
                .chain(() -> runs.findById(report.runId()))
                .chain(existing -> record(station, existing, report)));
    }

    private Uni<RunResult> record(Station station, Run existing, RunReport report) {
        Instant at = report.at() == null ? StationService.now() : report.at();
        if (existing != null) {
            if (!existing.stationId.equals(station.id) || !existing.procedureId.equals(report.procedureId())) {
                throw ProblemException.conflict("run-id-taken", "run " + report.runId() + " belongs to another"
                        + " station or procedure");
            }
            if (!existing.deploymentId.equals(report.deploymentId())) {
                throw ProblemException.conflict("deployment-mismatch", "run " + report.runId() + " started on "
                        + existing.deploymentId + "; a run reports the deployment it started on");
            }
            boolean duplicate = STARTED.equals(report.phase()) || existing.finishedAt != null;
            if (duplicate) {
                return Uni.createFrom().item(new RunResult(existing, false));
            }
            existing.finishedAt = at;
            existing.outcome = report.outcome();
            existing.durationMs = report.durationMs();
            finished(existing, report);
            return publish(station, existing, report, at).replaceWith(new RunResult(existing, true));
        }
        Run run = new Run();
        run.id = report.runId();
        run.stationId = station.id;
        run.procedureId = report.procedureId();
        run.deploymentId = report.deploymentId();
        run.runRequestId = report.runRequestId();
        run.createdAt = StationService.now();
        if (STARTED.equals(report.phase())) {
            run.startedAt = at;
        } else {
            // The started report was lost; the finished one still counts.
            run.finishedAt = at;
            run.outcome = report.outcome();
            run.durationMs = report.durationMs();
            finished(run, report);
        }
        if (report.serialNumber() != null) {
            run.serialNumber = report.serialNumber();
        }
        Uni<Boolean> claim = report.runRequestId() == null ? Uni.createFrom().item(false)
                : runRequests.claim(report.runRequestId(), station.id, report.procedureId(), run.id, at);
        return runs.persist(run).chain(() -> claim).chain(() -> publish(station, run, report, at))
                .replaceWith(new RunResult(run, true));
    }

    /** The finished report's unit and phases (the unit as the runner ran it: the request's or the default). */
    private static void finished(Run run, RunReport report) {
        if (report.serialNumber() != null) {
            run.serialNumber = report.serialNumber();
        }
        run.phases = RunPhases.write(report.phaseResults());
    }

    private Uni<Void> publish(Station station, Run run, RunReport report, Instant at) {
        boolean finished = FINISHED.equals(report.phase());
        StationRun event = new StationRun(run.id, station.id, station.orgId, run.procedureId, run.deploymentId,
                report.phase(), finished ? report.outcome() : null, at, finished ? report.durationMs() : null,
                run.serialNumber, finished ? report.phaseResults() : null);
        return outbox.append(Topics.STATION_RUNS, station.id, "station",
                EventCodec.envelope(EventTypes.STATION_RUN, PointerMover.SOURCE, station.id, event));
    }

    private Uni<ProjectedDeployment> requireDeploymentOf(String procedureId, String deploymentId) {
        return deployments.findById(deploymentId).map(d -> {
            if (d == null || !Objects.equals(d.procedureId, procedureId)) {
                throw ProblemException.invalid("deployment_id", "deployment " + deploymentId
                        + " is not a known deployment of procedure " + procedureId);
            }
            return d;
        });
    }

    private static void validate(RunReport report) {
        Ids.run("run_id", report.runId());
        Ids.procedure("procedure_id", report.procedureId());
        Ids.deployment("deployment_id", report.deploymentId());
        if (!STARTED.equals(report.phase()) && !FINISHED.equals(report.phase())) {
            throw ProblemException.invalid("phase", "must be started or finished");
        }
        if (STARTED.equals(report.phase()) && report.outcome() != null) {
            throw ProblemException.invalid("outcome", "must be absent when phase is started");
        }
        if (FINISHED.equals(report.phase()) && (report.outcome() == null || !OUTCOMES.contains(report.outcome()))) {
            throw ProblemException.invalid("outcome", "must be passed, failed or error when phase is finished");
        }
        if (report.durationMs() != null && report.durationMs() < 0) {
            throw ProblemException.invalid("duration_ms", "must be at least 0");
        }
        if (report.runRequestId() != null && !report.runRequestId().matches("^rrq_[0-9a-z]{26}$")) {
            throw ProblemException.invalid("run_request_id", "must be a run request id (rrq_ + 26 characters)");
        }
        RunPhases.serial("serial_number", report.serialNumber());
        if (STARTED.equals(report.phase()) && report.phaseResults() != null) {
            throw ProblemException.invalid("phase_results", "must be absent when phase is started");
        }
        RunPhases.validate(report.phaseResults());
    }

    private static String tokenHash(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                || authorization.length() <= 7) {
            throw ProblemException.unauthorized("an agent token is required: send Authorization: Bearer <agent token>");
        }
        return IntrospectingApiKeyVerifier.sha256(authorization.substring(7).strip());
    }

    /** The station whose agent token this is; 401 otherwise. Marks the station as seen (at the configured resolution). */
    private Uni<Station> authenticate(String authorization) {
        String hash;
        try {
            hash = tokenHash(authorization);
        } catch (ProblemException e) {
            return Uni.createFrom().failure(e);
        }
        return stations.findByTokenHash(hash).map(station -> {
            if (station == null) {
                throw ProblemException.unauthorized("the agent token is not valid");
            }
            Instant now = StationService.now();
            if (station.lastSeenAt == null || station.lastSeenAt.isBefore(now.minus(config.lastSeenResolution()))) {
                station.lastSeenAt = now;
            }
            return station;
        });
    }
}
