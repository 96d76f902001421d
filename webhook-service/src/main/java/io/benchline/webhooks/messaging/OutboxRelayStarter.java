package io.benchline.webhooks.messaging;

import io.benchline.common.outbox.OutboxRelay;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Runs the outbox relay from the first second. service-common's {@code OutboxRelay} schedules its passes with
 * {@code delay = 1} and Quarkus' default {@code delayUnit} MINUTES, so after every start accepted deliveries
 * would wait a full minute before reaching Kafka. Passes never overlap: {@link OutboxRelay#relayOnce()} skips
 * while another pass runs. Remove once OutboxRelay starts without that delay.
 */
@ApplicationScoped
public class OutboxRelayStarter {
    private final OutboxRelay relay;

    public OutboxRelayStarter(OutboxRelay relay) {
        this.relay = relay;
    }

    @Scheduled(identity = "webhook-outbox-relay", every = "${benchline.outbox.poll-interval:1s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> relay() {
        return relay.relayOnce().replaceWithVoid();
    }
}
