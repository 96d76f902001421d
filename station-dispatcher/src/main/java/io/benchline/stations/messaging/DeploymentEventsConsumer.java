package io.benchline.stations.messaging;

import io.benchline.events.DeploymentEvent;
import io.benchline.events.EventCodec;
import io.benchline.events.EventCodec.MalformedEventException;
import io.benchline.events.EventEnvelope;
import io.benchline.events.EventTypes;
import io.benchline.stations.app.DispatcherConfig;
import io.benchline.stations.app.FanOutService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.time.Duration;

/**
 * Consumes deployment.events (group station-dispatcher). The offset is committed only after the
 * handler's transaction committed; an unparseable message fails at once and goes to the dead-letter
 * topic, a transient failure is retried with backoff before it does.
 */
@ApplicationScoped
public class DeploymentEventsConsumer {
    public static final String CHANNEL = "deployment-events";
    private static final Logger LOG = Logger.getLogger(DeploymentEventsConsumer.class);

    private final FanOutService fanOut;
    private final DispatcherConfig config;

    public DeploymentEventsConsumer(FanOutService fanOut, DispatcherConfig config) {
        this.fanOut = fanOut;
        this.config = config;
    }

    @Incoming(CHANNEL)
    public Uni<Void> consume(String payload) {
        EventEnvelope envelope;
        DeploymentEvent event;
        try {
            envelope = EventCodec.parse(payload);
            if (!EventTypes.DEPLOYMENT_LIFECYCLE.equals(envelope.type())) {
                throw new MalformedEventException("event " + envelope.id() + " is " + envelope.type()
                        + ", not a deployment lifecycle event");
            }
            event = EventCodec.data(envelope, DeploymentEvent.class);
            requireFields(envelope.id(), event);
        } catch (MalformedEventException e) {
            LOG.warnf("unprocessable deployment event, sent to the dead-letter topic: %s", e.getMessage());
            return Uni.createFrom().failure(e);
        }
        return Uni.createFrom().deferred(() -> fanOut.handle(envelope.id(), event))
                .onFailure().invoke(f -> LOG.warnf("handling event %s failed, will retry: %s", envelope.id(), f.toString()))
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(30))
                .atMost(Math.max(0, config.consumerAttempts() - 1));
    }

    static void requireFields(String eventId, DeploymentEvent e) {
        if (e.deploymentId() == null || e.orgId() == null || e.procedureId() == null || e.change() == null
                || e.status() == null || e.environment() == null || e.sequence() < 1) {
            throw new MalformedEventException("event " + eventId + " lacks deployment_id, org_id, procedure_id,"
                    + " change, status, environment or a sequence >= 1");
        }
    }
}
