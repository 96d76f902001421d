package io.benchline.deployments.api;

import io.benchline.deployments.app.DeploymentService;
import io.benchline.deployments.app.DeploymentServiceConfig;
import io.benchline.deployments.model.BuildLogLine;
import io.benchline.events.EventCodec;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One live log stream: pages of lines as they are stored, polled on the request's own Vert.x context (so each page
 * is a short session of its own, and no connection is held between polls), until the deployment is final. Stops when
 * the client goes away, and after the configured longest life.
 */
final class LogStream {
    private static final Logger LOG = Logger.getLogger(LogStream.class);

    private final Sse sse;
    private final DeploymentService deployments;
    private final String orgId;
    private final String id;
    private final int page;
    private final DeploymentServiceConfig.Api config;
    private final Context context = Vertx.currentContext();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final long deadline;
    private DeploymentService.LogPage first;
    private long after;
    private long lastSent = System.nanoTime();

    private LogStream(DeploymentService.LogPage first, long after, int page, Sse sse, DeploymentService deployments,
            String orgId, String id, DeploymentServiceConfig.Api config) {
        this.first = first;
        this.after = after;
        this.page = page;
        this.sse = sse;
        this.deployments = deployments;
        this.orgId = orgId;
        this.id = id;
        this.config = config;
        this.deadline = System.nanoTime() + config.logStreamMaxDuration().toNanos();
    }

    static LogStream of(DeploymentService.LogPage first, long after, int page, Sse sse, DeploymentService deployments,
            String orgId, String id, DeploymentServiceConfig.Api config) {
        return new LogStream(first, after, page, sse, deployments, orgId, id, config);
    }

    Multi<OutboundSseEvent> multi() {
        return Multi.createFrom().<OutboundSseEvent>emitter(emitter -> {
            emitter.onTermination(() -> cancelled.set(true));
            DeploymentService.LogPage page = first;
            first = null;
            deliver(emitter, page);
        });
    }

    /** Sends a page; then ends, reads the next page at once (a full page), or waits for the next poll. */
    private void deliver(MultiEmitter<? super OutboundSseEvent> emitter, DeploymentService.LogPage lines) {
        if (cancelled.get()) {
            return;
        }
        for (BuildLogLine line : lines.lines()) {
            emitter.emit(sse.newEventBuilder().id(Long.toString(line.number)).name("line")
                    .mediaType(MediaType.APPLICATION_JSON_TYPE)
                    .data(String.class, json(new DetailResponses.LogLine(line.number, line.timestamp, line.level,
                            line.text)))
                    .build());
            after = line.number;
            lastSent = System.nanoTime();
        }
        if (lines.complete() && lines.lines().size() < page) {
            emitter.emit(sse.newEventBuilder().name("end").mediaType(MediaType.APPLICATION_JSON_TYPE)
                    .data(String.class, json(Map.of("status", lines.status()))).build());
            emitter.complete();
            return;
        }
        if (System.nanoTime() > deadline) {
            emitter.complete(); // the client reconnects with Last-Event-ID
            return;
        }
        if (System.nanoTime() - lastSent > config.logStreamHeartbeat().toNanos()) {
            emitter.emit(sse.newEventBuilder().comment("waiting for the build").build());
            lastSent = System.nanoTime();
        }
        long delay = lines.lines().size() >= page ? 1 : Math.max(1, config.logStreamPoll().toMillis());
        context.owner().setTimer(delay, t -> context.runOnContext(v -> next(emitter)));
    }

    private static String json(Object value) {
        try {
            return EventCodec.mapper().writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void next(MultiEmitter<? super OutboundSseEvent> emitter) {
        if (cancelled.get()) {
            return;
        }
        deployments.logPage(orgId, id, after, page).subscribe().with(p -> deliver(emitter, p), failure -> {
            LOG.debugf("log stream of %s ended: %s", id, failure.toString());
            emitter.fail(failure);
        });
    }
}
