package io.benchline.webhooks.app;

import io.benchline.events.DeploymentRequested;
import io.benchline.events.EventCodec;
import io.benchline.events.EventEnvelope;
import io.benchline.events.EventTypes;
import io.benchline.webhooks.messaging.DeploymentRequestedPublisher;
import io.benchline.webhooks.store.DeliveryRepository;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Records a verified push once and publishes it, both in one transaction. */
@ApplicationScoped
public class DeliveryIntake {
    public static final String SOURCE = "/webhook-service";

    private final DeliveryRepository deliveries;
    private final DeploymentRequestedPublisher publisher;

    public DeliveryIntake(DeliveryRepository deliveries, DeploymentRequestedPublisher publisher) {
        this.deliveries = deliveries;
        this.publisher = publisher;
    }

    /**
     * The delivery row and the outbox row commit together: an answered 202 always reaches Kafka, and a
     * redelivery (same provider, hook and delivery id, also when racing) finds the row and publishes nothing.
     */
    @WithTransaction
    public Uni<Receipt> accept(DeploymentRequested push) {
        EventEnvelope envelope = EventCodec.envelope(EventTypes.DEPLOYMENT_REQUESTED, SOURCE, push.deliveryId(), push);
        return deliveries.insertIfAbsent(push.provider(), push.deliveryId(), push.hookId(), push.orgId(),
                        envelope.id(), OffsetDateTime.now(ZoneOffset.UTC))
                .chain(first -> first
                        ? publisher.publish(push.repository().fullName(), envelope).replaceWith(Receipt.accepted(envelope.id()))
                        : Uni.createFrom().item(Receipt.of(Receipt.Kind.DUPLICATE)));
    }
}
