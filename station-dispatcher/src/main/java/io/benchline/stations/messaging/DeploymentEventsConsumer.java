package io.benchline.stations.messaging;

import io.benchline.common.messaging.DatabaseProbe;
import io.benchline.events.DeploymentEvent;
import io.benchline.events.EventCodec;
import io.benchline.events.EventCodec.MalformedEventException;
import io.benchline.events.EventEnvelope;
import io.benchline.events.EventTypes;
import io.benchline.stations.app.DispatcherConfig;
import io.benchline.stations.app.FanOutService;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.time.Duration;

/**
 * Consumes deployment.events (group station-dispatcher). The offset is committed only after the handler's
 * transaction committed. The handler's work is small and fixed (a fan-out is recorded, not done, here); each
 * attempt is bounded by {@code handler-timeout} and retries stop after {@code handler-max-hold}, so no record is
 * held longer than that while the database answers (while it is away, records wait for it: nothing could be
 * handled anyway). A record that cannot be parsed fails at once, one that keeps failing fails when the bound
 * is reached: both go to the dead-letter topic (SmallRye puts the reason in its {@code dead-letter-reason}
 * header), with an ERROR line and the {@code benchline.dead.letters} counter, and the next record is handled.
 */
@ApplicationScoped
public class DeploymentEventsConsumer {
    public static final String CHANNEL = "deployment-events";
    private static final Logger LOG = Logger.getLogger(DeploymentEventsConsumer.class);

    private final FanOutService fanOut;
    private final DispatcherConfig config;
    private final MeterRegistry registry;
    private final DatabaseProbe database;

    public DeploymentEventsConsumer(FanOutService fanOut, DispatcherConfig config, MeterRegistry registry,
            DatabaseProbe database) {
        this.fanOut = fanOut;
        this.config = config;
        this.registry = registry;
        this.database = database;
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
            return deadLetter("unprocessable deployment event", e);
        }
        return attempt(envelope, event);
    }

    /**
     * Handles the event with retries for up to {@code handler-max-hold}; then dead-letters it, unless the database is
     * away: a failure then says nothing about the event (no event can be handled without the database), so it is
     * held and tried again for as long as the outage lasts. Before this, a PostgreSQL outage of two minutes sent valid
     * events to the dead-letter topic in the fault trials, and their fan-outs never happened.
     */
    private Uni<Void> attempt(EventEnvelope envelope, DeploymentEvent event) {
        return Uni.createFrom().deferred(() -> fanOut.handle(envelope.id(), event))
                .ifNoItem().after(config.handlerTimeout()).fail()
                .onFailure().invoke(f -> LOG.warnf("handling event %s failed, will retry: %s", envelope.id(), f.toString()))
                .onFailure().retry().withBackOff(Duration.ofMillis(100), Duration.ofSeconds(5))
                .expireIn(config.handlerMaxHold().toMillis())
                .onFailure().recoverWithUni(f -> database.answers().chain(up -> {
                    if (up) {
                        return deadLetter("deployment event " + envelope.id() + " kept failing for "
                                + config.handlerMaxHold(), f);
                    }
                    LOG.warnf("deployment event %s: the database is away; holding the event until it answers",
                            envelope.id());
                    return attempt(envelope, event);
                }));
    }

    private Uni<Void> deadLetter(String what, Throwable reason) {
        registry.counter("benchline.dead.letters", "channel", CHANNEL).increment();
        LOG.errorf("%s, sent to the dead-letter topic: %s", what, reason.toString());
        return Uni.createFrom().failure(reason);
    }

    static void requireFields(String eventId, DeploymentEvent e) {
        if (e.deploymentId() == null || e.orgId() == null || e.procedureId() == null || e.change() == null
                || e.status() == null || e.environment() == null || e.sequence() < 1) {
            throw new MalformedEventException("event " + eventId + " lacks deployment_id, org_id, procedure_id,"
                    + " change, status, environment or a sequence >= 1");
        }
    }
}
