package io.benchline.deployments.app;

import io.benchline.common.outbox.ProcessedEvents;
import io.benchline.deployments.model.Deployment;
import io.benchline.deployments.store.BuildLogRepository;
import io.benchline.deployments.store.DeploymentRepository;
import io.benchline.deployments.store.ProcedureRepository;
import io.benchline.events.BuildCompleted;
import io.benchline.events.BuildLogs;
import io.benchline.events.BuildStarted;
import io.benchline.events.DeploymentEvent;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;

/**
 * The build state machine, fed by build-worker: {@code pending → building → ready | failed}. Ready and
 * failed are final; a late, duplicate or reordered event changes nothing and publishes nothing
 * (invariant 2). Each handler locks the deployment row, since started and completed arrive on different
 * topics and may be handled at the same time.
 */
@ApplicationScoped
public class BuildEvents {
    public static final String STARTED_CONSUMER = "deployment-service.build-started";
    public static final String LOGS_CONSUMER = "deployment-service.build-logs";
    public static final String COMPLETED_CONSUMER = "deployment-service.build-completed";
    private static final Logger LOG = Logger.getLogger(BuildEvents.class);

    private final ProcessedEvents processed;
    private final DeploymentRepository deployments;
    private final ProcedureRepository procedures;
    private final BuildLogRepository logs;
    private final DeploymentPublisher publisher;
    private final DeploymentServiceConfig config;

    public BuildEvents(ProcessedEvents processed, DeploymentRepository deployments, ProcedureRepository procedures,
            BuildLogRepository logs, DeploymentPublisher publisher, DeploymentServiceConfig config) {
        this.processed = processed;
        this.deployments = deployments;
        this.procedures = procedures;
        this.logs = logs;
        this.publisher = publisher;
        this.config = config;
    }

    @WithTransaction
    public Uni<Boolean> started(String eventId, BuildStarted event) {
        return processed.firstTime(eventId, STARTED_CONSUMER).chain(first -> !first ? Uni.createFrom().item(false)
                : deployments.lock(event.deploymentId()).chain(d -> {
                    if (d == null) {
                        LOG.warnf("build.started for unknown deployment %s ignored", event.deploymentId());
                        return Uni.createFrom().item(false);
                    }
                    if (!Deployment.PENDING.equals(d.status)) {
                        LOG.debugf("build.started for %s ignored: it is %s", d.id, d.status);
                        return Uni.createFrom().item(false);
                    }
                    d.status = Deployment.BUILDING;
                    d.startedAt = Clock.micros(event.startedAt() != null ? event.startedAt() : Clock.now());
                    d.updatedAt = Clock.now();
                    return publishChange(DeploymentEvent.BUILDING, d).replaceWith(true);
                }));
    }

    /** @return how many lines were new */
    @WithTransaction
    public Uni<Integer> logs(String eventId, BuildLogs batch) {
        return processed.firstTime(eventId, LOGS_CONSUMER).chain(first -> !first ? Uni.createFrom().item(0)
                : deployments.findById(batch.deploymentId()).chain(d -> {
                    if (d == null || batch.lines() == null) {
                        LOG.warnf("build.logs for unknown deployment %s ignored", batch.deploymentId());
                        return Uni.createFrom().item(0);
                    }
                    // One statement at a time: the session does not allow concurrent use.
                    return Multi.createFrom().iterable(batch.lines())
                            .onItem().transformToUniAndConcatenate(line -> logs.insertIfAbsent(d.id, line.number(),
                                    Clock.micros(line.timestamp() != null ? line.timestamp() : Clock.now()),
                                    line.level() == null ? "info" : line.level(), cut(line.text())))
                            .collect().with(java.util.stream.Collectors.summingInt(Integer::intValue));
                }));
    }

    @WithTransaction
    public Uni<Boolean> completed(String eventId, BuildCompleted event) {
        return processed.firstTime(eventId, COMPLETED_CONSUMER).chain(first -> !first ? Uni.createFrom().item(false)
                : deployments.lock(event.deploymentId()).chain(d -> {
                    if (d == null) {
                        LOG.warnf("build.completed for unknown deployment %s ignored", event.deploymentId());
                        return Uni.createFrom().item(false);
                    }
                    if (d.isFinal()) {
                        LOG.infof("build.completed (%s) for %s ignored: it is already %s", event.outcome(), d.id, d.status);
                        return Uni.createFrom().item(false);
                    }
                    apply(d, event);
                    return publishChange(d.status, d).replaceWith(true);
                }));
    }

    /** Pending or building → ready | failed; a completed that overtook its started is fine. */
    private static void apply(Deployment d, BuildCompleted event) {
        boolean ready = BuildCompleted.READY.equals(event.outcome()) && event.artifact() != null;
        d.status = ready ? Deployment.READY : Deployment.FAILED;
        if (ready) {
            d.artifactDigest = event.artifact().digest();
            d.artifactSizeBytes = event.artifact().sizeBytes();
            d.artifactSignature = event.artifact().signature();
            d.artifactKeyId = event.artifact().keyId();
            d.failureReason = null;
        } else {
            d.failureReason = event.failureReason() != null ? event.failureReason()
                    : BuildCompleted.READY.equals(event.outcome()) ? "the build reported ready without an artifact"
                    : "the build failed without a reason";
        }
        d.runtimeVersion = event.runtimeVersion();
        d.platform = event.platform();
        d.language = event.language();
        d.entryPoint = event.entryPoint();
        Instant started = Clock.micros(event.startedAt());
        if (started != null && (d.startedAt == null || started.isBefore(d.startedAt))) {
            d.startedAt = started;
        }
        d.endedAt = Clock.micros(event.endedAt() != null ? event.endedAt() : Clock.now());
        d.buildDurationMs = d.startedAt == null ? null : Math.max(0, Duration.between(d.startedAt, d.endedAt).toMillis());
        if (event.commit() != null) {
            // A build of a branch head tells which commit it was; a push already carried the message and author.
            if (d.commitSha == null && event.commit().sha() != null) {
                d.commitSha = event.commit().sha();
            }
            if (d.commitMessage == null) {
                d.commitMessage = event.commit().message();
            }
            if (d.commitAuthor == null) {
                d.commitAuthor = event.commit().author();
            }
            if (d.branch == null) {
                d.branch = event.commit().branch();
            }
        }
        d.updatedAt = Clock.now();
    }

    private Uni<Void> publishChange(String change, Deployment d) {
        return procedures.findById(d.procedureId).chain(p -> publisher.lifecycle(change, d, p != null && p.autoPush));
    }

    private String cut(String text) {
        if (text == null) {
            return "";
        }
        int max = config.consumer().maxLogLineLength();
        return text.length() <= max ? text : text.substring(0, max) + " …[cut]";
    }
}
