package io.benchline.webhooks.messaging;

import io.benchline.common.outbox.Outbox;
import io.benchline.events.EventEnvelope;
import io.benchline.events.Topics;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Locale;

/** Publishes deployment.requested through the outbox, in the caller's transaction. */
@ApplicationScoped
public class DeploymentRequestedPublisher {
    static final String AGGREGATE_TYPE = "delivery";
    private final Outbox outbox;

    public DeploymentRequestedPublisher(Outbox outbox) {
        this.outbox = outbox;
    }

    /** Keyed by the repository's full name in lower case, so every push of one repository stays in order. */
    public Uni<Void> publish(String repositoryFullName, EventEnvelope envelope) {
        return outbox.append(Topics.DEPLOYMENT_REQUESTED, repositoryFullName.toLowerCase(Locale.ROOT), AGGREGATE_TYPE,
                envelope);
    }
}
