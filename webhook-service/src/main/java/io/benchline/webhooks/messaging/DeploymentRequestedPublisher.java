package io.benchline.webhooks.messaging;

import io.benchline.common.outbox.Outbox;
import io.benchline.common.tracing.TraceParent;
import io.benchline.events.EventEnvelope;
import io.benchline.events.Topics;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Locale;

/** Publishes deployment.requested through the outbox, in the caller's transaction. */
@ApplicationScoped
public class DeploymentRequestedPublisher {
    static final String AGGREGATE_TYPE = "delivery";
    private final Outbox outbox;

    public DeploymentRequestedPublisher(Outbox outbox) {
        this.outbox = outbox;
    }

    /**
     * Keyed by the repository's full name in lower case, so every push of one repository stays in order; the event
     * continues {@code trace}, the trace of the delivery's request (null: none).
     */
    public Outbox.Entry entry(String repositoryFullName, EventEnvelope envelope, TraceParent trace) {
        return new Outbox.Entry(Topics.DEPLOYMENT_REQUESTED, repositoryFullName.toLowerCase(Locale.ROOT),
                AGGREGATE_TYPE, envelope, trace);
    }

    /**
     * Appends the events with one statement and without a notification in the transaction: the intake announces them
     * after the commit (PostgreSQL serializes the commits of notifying transactions).
     */
    public Uni<Void> publishAll(List<Outbox.Entry> events) {
        return outbox.appendAllUnannounced(events);
    }
}
