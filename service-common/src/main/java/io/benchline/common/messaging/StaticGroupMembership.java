package io.benchline.common.messaging;

import io.quarkus.arc.Unremovable;
import io.smallrye.reactive.messaging.ClientCustomizer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Map;
import java.util.Optional;

/**
 * Kafka static group membership (KIP-345) for the service's consumers when {@code benchline.instance-id} is set:
 * each consumer gets {@code group.instance.id = <instance id>.<client id>} (the client id names the channel and, for
 * a channel with several consumers, their index), the same after a restart. A killed instance that comes back takes
 * its partitions again at once; with dynamic membership the group first waits for the dead member's
 * {@code session.timeout.ms} (45 s): the fault trials measured 41-44 s before a restarted deployment-service,
 * build-worker or station-dispatcher consumed again. The id must differ between instances of one service (a second
 * instance with the same id fences the first); unset, membership stays dynamic. build-worker, which does not use
 * service-common, has the same class.
 */
@ApplicationScoped
@Unremovable
public class StaticGroupMembership implements ClientCustomizer<Map<String, Object>> {
    static final String GROUP_INSTANCE_ID = "group.instance.id";

    private final Optional<String> instanceId;

    public StaticGroupMembership(@ConfigProperty(name = "benchline.instance-id") Optional<String> instanceId) {
        this.instanceId = instanceId.map(String::strip).filter(s -> !s.isEmpty());
    }

    @Override
    public Map<String, Object> customize(String channel, Config channelConfig, Map<String, Object> config) {
        // Consumers only: they have a group and a value deserializer; producers and admin clients have neither.
        if (instanceId.isPresent() && config.containsKey("group.id") && config.containsKey("value.deserializer")
                && !config.containsKey(GROUP_INSTANCE_ID)) {
            config.put(GROUP_INSTANCE_ID, instanceId.get() + "." + config.getOrDefault("client.id", channel));
        }
        return config;
    }
}
