package io.benchline.deployments.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.benchline.common.outbox.ProcessedEvents;
import io.benchline.deployments.model.Deployment;
import io.benchline.deployments.store.BuildLogRepository;
import io.benchline.deployments.store.DeploymentRepository;
import io.benchline.deployments.store.ProcedureRepository;
import io.benchline.events.BuildCompleted;
import io.benchline.events.BuildLogs;
import io.benchline.events.BuildStarted;
import io.benchline.events.DeploymentEvent;
import io.benchline.events.EventCodec;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The build state machine, fed by build-worker: {@code pending → building → ready | failed}. Ready and
 * failed are final; a late, duplicate or reordered event changes nothing and publishes nothing
 * (invariant 2). Each handler locks the deployment row, since started, logs and completed arrive on different
 * topics and may be handled at the same time. A deployment turns ready or failed only with its whole log
 * stored: a build.completed that overtook build.logs batches is held on the row (status unchanged) until the
 * lines it counts are stored, or until {@code benchline.deployments.log-wait} has passed ({@link LogWaitSweeper}).
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

    /**
     * Stores the batch's lines (once per number) and, when a build.completed is held for this deployment and the
     * lines it counts are now all stored, finalizes it in this transaction. Lines arriving after the final state
     * are still stored: the log gets complete, the state does not change.
     *
     * @return how many lines were new
     */
    @WithTransaction
    public Uni<Integer> logs(String eventId, BuildLogs batch) {
        return processed.firstTime(eventId, LOGS_CONSUMER).chain(first -> !first ? Uni.createFrom().item(0)
                // Locked like completed and the sweeper, so whichever commits second sees the other's lines or hold.
                : deployments.lock(batch.deploymentId()).chain(d -> {
                    if (d == null || batch.lines() == null) {
                        LOG.warnf("build.logs for unknown deployment %s ignored", batch.deploymentId());
                        return Uni.createFrom().item(0);
                    }
                    // One statement at a time: the session does not allow concurrent use.
                    return Multi.createFrom().iterable(batch.lines())
                            .onItem().transformToUniAndConcatenate(line -> logs.insertIfAbsent(d.id, line.number(),
                                    Clock.micros(line.timestamp() != null ? line.timestamp() : Clock.now()),
                                    line.level() == null ? "info" : line.level(), cut(line.text())))
                            .collect().with(Collectors.summingInt(Integer::intValue))
                            .call(added -> added == 0 || !d.isHeld() || d.isFinal() ? Uni.createFrom().voidItem()
                                    : logs.stored(d.id).chain(stored -> stored.lines() < d.expectedLogLines
                                            ? Uni.createFrom().voidItem() : finish(d, held(d))));
                }));
    }

    /**
     * Finalizes the build, or, when build-worker counted more log lines than are stored yet (build.logs is another
     * topic and can lag behind), holds the result on the deployment row until they are: the last batch finalizes it
     * ({@link #logs}), or the sweeper after {@code benchline.deployments.log-wait} ({@link #finalizeOverdue}). A
     * result without a line count (an older worker) finalizes at once.
     *
     * @return whether the deployment changed (finalized or held)
     */
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
                    if (d.isHeld()) {
                        // First result wins, as it does once final: a second one (a rebuild) is ignored.
                        LOG.infof("build.completed (%s) for %s ignored: an earlier result waits for its log",
                                event.outcome(), d.id);
                        return Uni.createFrom().item(false);
                    }
                    Long expected = event.logLineCount();
                    if (expected == null) {
                        return finish(d, event).replaceWith(true);
                    }
                    return logs.stored(d.id).chain(stored -> {
                        if (stored.lines() >= expected) {
                            return finish(d, event).replaceWith(true);
                        }
                        LOG.debugf("build.completed for %s held: %d of %d log lines stored", d.id, stored.lines(),
                                expected);
                        d.heldCompleted = EventCodec.tree(event).toString();
                        d.expectedLogLines = expected;
                        d.heldSince = Clock.now();
                        d.updatedAt = d.heldSince;
                        return Uni.createFrom().item(true);
                    });
                }));
    }

    /**
     * Finalizes up to {@code limit} builds whose result has been held since before {@code heldBefore}, appending a
     * warning line that says how many log lines were missing. Rows locked elsewhere are skipped, so two instances
     * sweeping at once finalize each build once.
     *
     * @return the ids of the deployments it finalized
     */
    @WithTransaction
    public Uni<List<String>> finalizeOverdue(Instant heldBefore, int limit) {
        return deployments.lockHeldSince(heldBefore, limit).chain(held -> Multi.createFrom().iterable(held)
                .onItem().transformToUniAndConcatenate(d -> logs.stored(d.id).chain(stored -> {
                    long missing = d.expectedLogLines - stored.lines();
                    if (missing <= 0) {
                        return finish(d, held(d));
                    }
                    // After the counted numbers and every stored one, so a late batch still finds the missing numbers free.
                    long number = Math.max(d.expectedLogLines, stored.highestNumber()) + 1;
                    LOG.warnf("build %s finalized without %d of its %d log lines", d.id, missing, d.expectedLogLines);
                    return logs.insertIfAbsent(d.id, number, Clock.now(), "warn", missingLinesNote(missing,
                            d.expectedLogLines)).chain(() -> finish(d, held(d)));
                }).replaceWith(d.id))
                .collect().asList());
    }

    /**
     * Fails a deployment that is stuck (no worker took it, its worker vanished, its request was dead-lettered)
     * with a readable reason, also written as the last line of its log. Takes the row's lock; a deployment that
     * became final or got held meanwhile is left alone.
     *
     * @return whether it was failed here
     */
    @WithTransaction
    public Uni<Boolean> failStuck(String deploymentId, String reason) {
        return deployments.lock(deploymentId).chain(d -> {
            if (d == null || d.isFinal() || d.isHeld()) {
                return Uni.createFrom().item(false);
            }
            LOG.warnf("deployment %s failed: %s", d.id, reason);
            Instant now = Clock.now();
            d.status = Deployment.FAILED;
            d.failureReason = reason;
            d.endedAt = now;
            d.buildDurationMs = d.startedAt == null ? null : Math.max(0, Duration.between(d.startedAt, now).toMillis());
            d.updatedAt = now;
            return logs.stored(d.id)
                    .chain(stored -> logs.insertIfAbsent(d.id, stored.highestNumber() + 1, now, "error", reason))
                    .chain(() -> publishChange(Deployment.FAILED, d)).replaceWith(true);
        });
    }

    private String missingLinesNote(long missing, long expected) {
        long wait = config.deployments().logWait().toMillis();
        return missing + " of the " + expected + " log lines the build published had not arrived "
                + (wait % 1000 == 0 ? wait / 1000 + " s" : wait + " ms")
                + " after its result; the build was finalized without them";
    }

    /** Applies the result, clears any hold and publishes the final state. */
    private Uni<Void> finish(Deployment d, BuildCompleted event) {
        apply(d, event);
        d.heldCompleted = null;
        d.expectedLogLines = null;
        d.heldSince = null;
        return publishChange(d.status, d);
    }

    private static BuildCompleted held(Deployment d) {
        try {
            return EventCodec.mapper().readValue(d.heldCompleted, BuildCompleted.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("deployment " + d.id + " holds an unreadable build.completed", e);
        }
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
        return procedures.findById(d.procedureId).chain(p -> publisher.lifecycle(change, d, p));
    }

    private String cut(String text) {
        if (text == null) {
            return "";
        }
        int max = config.consumer().maxLogLineLength();
        return text.length() <= max ? text : text.substring(0, max) + " …[cut]";
    }
}
