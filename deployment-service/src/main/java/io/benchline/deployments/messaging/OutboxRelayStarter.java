package io.benchline.deployments.messaging;

import io.benchline.common.outbox.OutboxRelay;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.TimeUnit;

/**
 * Runs the outbox relay from two seconds after start. service-common's {@code OutboxRelay} schedules its passes with
 * {@code delay = 1} and Quarkus' default {@code delayUnit} MINUTES, so after every start {@code build.requested}
 * and {@code deployment.events} waited a full minute before reaching Kafka (BuildStateMachineTest saw 47 s).
 * Passes never overlap: {@link OutboxRelay#relayOnce()} skips while another pass runs. service-common's source
 * now schedules without the delay; remove this class once the service-common this module builds against has it.
 */
@ApplicationScoped
public class OutboxRelayStarter {
    private final OutboxRelay relay;

    public OutboxRelayStarter(OutboxRelay relay) {
        this.relay = relay;
    }

    // The short delay lets the messaging channels connect first: resolved earlier, the relay's emitter fails once.
    @Scheduled(identity = "deployment-outbox-relay", every = "${benchline.outbox.poll-interval:1s}",
            delay = 2, delayUnit = TimeUnit.SECONDS, concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> relay() {
        return relay.relayOnce().replaceWithVoid();
    }
}
