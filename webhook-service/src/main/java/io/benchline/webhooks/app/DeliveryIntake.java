package io.benchline.webhooks.app;

import io.benchline.common.outbox.Outbox;
import io.benchline.common.tracing.TraceParent;
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
import java.util.ArrayList;
import java.util.List;

/** Records verified pushes once and publishes them, all in one transaction. */
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
     * The delivery rows and the outbox rows commit together: an answered 202 always reaches Kafka, and a
     * redelivery (same provider, hook and delivery id, also when racing, also within {@code pushes}) finds the row
     * and publishes nothing. The caller announces the outbox rows after the commit ({@link Outbox#announce()}).
     *
     * @return one receipt per push, in order
     */
    @WithTransaction
    public Uni<List<Receipt>> acceptAll(List<DeploymentRequested> pushes) {
        return acceptAll(pushes, java.util.Collections.nCopies(pushes.size(), TraceParent.current()));
    }

    /**
     * As {@link #acceptAll(List)}, each push's event continuing the trace beside it ({@code traces} in the same order;
     * an element may be null): the group commit writes the pushes of many requests in one transaction.
     */
    @WithTransaction
    public Uni<List<Receipt>> acceptAll(List<DeploymentRequested> pushes, List<TraceParent> traces) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        List<EventEnvelope> envelopes = new ArrayList<>(pushes.size());
        List<DeliveryRepository.Row> rows = new ArrayList<>(pushes.size());
        for (DeploymentRequested push : pushes) {
            EventEnvelope envelope = EventCodec.envelope(EventTypes.DEPLOYMENT_REQUESTED, SOURCE, push.deliveryId(), push);
            envelopes.add(envelope);
            rows.add(new DeliveryRepository.Row(push.provider(), push.deliveryId(), push.hookId(), push.orgId(),
                    envelope.id(), now));
        }
        return deliveries.insertAllIfAbsent(rows).chain(inserted -> {
            List<Receipt> receipts = new ArrayList<>(pushes.size());
            List<Outbox.Entry> events = new ArrayList<>(inserted.size());
            for (int i = 0; i < pushes.size(); i++) {
                EventEnvelope envelope = envelopes.get(i);
                if (inserted.contains(envelope.id())) {
                    events.add(publisher.entry(pushes.get(i).repository().fullName(), envelope, traces.get(i)));
                    receipts.add(Receipt.accepted(envelope.id()));
                } else {
                    receipts.add(Receipt.of(Receipt.Kind.DUPLICATE));
                }
            }
            return publisher.publishAll(events).replaceWith(receipts);
        });
    }
}
