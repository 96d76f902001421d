package io.benchline.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Who caused an event: the API key (id and name) of the call, or {@link #SYSTEM} (no key) for what the platform did
 * by itself, such as an automatic fan-out.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ActorRef(String keyId, String name) {
    public static final ActorRef SYSTEM = new ActorRef(null, "benchline");
}
