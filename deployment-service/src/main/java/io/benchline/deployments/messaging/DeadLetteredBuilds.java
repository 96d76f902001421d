package io.benchline.deployments.messaging;

import io.benchline.deployments.app.BuildEvents;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;

/**
 * build-worker sends a build request it cannot process to {@code dead-letter-topic-build.requested}; this consumer
 * fails the deployment at once with the worker's reason, instead of leaving it pending until the sweeper's timeout.
 * The record's key is the deployment id (the request itself may be unreadable, which is why it is there).
 */
@ApplicationScoped
public class DeadLetteredBuilds {
    public static final String CHANNEL = "build-requested-dead-letters";
    private static final Logger LOG = Logger.getLogger(DeadLetteredBuilds.class);
    private final BuildEvents builds;

    public DeadLetteredBuilds(BuildEvents builds) {
        this.builds = builds;
    }

    @Incoming(CHANNEL)
    public Uni<Void> onDeadLetter(ConsumerRecord<String, String> record) {
        String deploymentId = record.key();
        if (deploymentId == null || !deploymentId.matches("dep_[0-9a-z]{26}")) {
            LOG.warnf("dead-lettered build request without a deployment id as its key (offset %d) ignored",
                    record.offset());
            return Uni.createFrom().voidItem();
        }
        Header header = record.headers().lastHeader("dead-letter-reason");
        String why = header == null ? "no reason given" : new String(header.value(), StandardCharsets.UTF_8);
        if (why.length() > 500) {
            why = why.substring(0, 500) + " …";
        }
        return builds.failStuck(deploymentId, "build-worker could not process the build request: " + why)
                .replaceWithVoid();
    }
}
