package io.benchline.builds.messaging;

import io.benchline.builds.app.Builds;
import io.benchline.events.BuildRequested;
import io.benchline.events.EventCodec;
import io.benchline.events.EventEnvelope;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code build.requested} (group {@code build-worker}). Builds block, so they run on the {@code builds}
 * worker pool ({@code smallrye.messaging.worker.builds.max-concurrency} at once, out of order across partitions; the
 * throttled commit strategy still commits an offset only once every earlier record is done). The record is
 * acknowledged when this method returns, which is after build.completed was acknowledged by the broker. A record that
 * is not a build request is rejected and goes to the dead-letter topic {@code dead-letter-topic-build.requested}.
 */
@ApplicationScoped
public class BuildRequestConsumer {
    private static final Logger LOG = Logger.getLogger(BuildRequestConsumer.class);
    public static final String CHANNEL = "build-requested";
    public static final String WORKER_POOL = "builds";

    private final Builds builds;

    public BuildRequestConsumer(Builds builds) {
        this.builds = builds;
    }

    @Incoming(CHANNEL)
    @Blocking(value = WORKER_POOL, ordered = false)
    public void consume(String payload) {
        BuildRequested request = parse(payload);
        builds.run(request);
    }

    /** The request, or {@link EventCodec.MalformedEventException} (nack: dead-letter topic) for anything else. */
    static BuildRequested parse(String payload) {
        try {
            if (payload == null) {
                throw new EventCodec.MalformedEventException("empty record");
            }
            EventEnvelope envelope = EventCodec.parse(payload);
            BuildRequested request = EventCodec.data(envelope, BuildRequested.class);
            if (request.deploymentId() == null || request.deploymentId().isBlank()) {
                throw new EventCodec.MalformedEventException("event " + envelope.id() + " has no deployment_id");
            }
            return request;
        } catch (EventCodec.MalformedEventException e) {
            LOG.errorf("skipping a build.requested record that cannot be processed (to the dead-letter topic): %s",
                    e.getMessage());
            throw e;
        }
    }
}
