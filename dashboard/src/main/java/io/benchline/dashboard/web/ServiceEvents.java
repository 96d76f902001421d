package io.benchline.dashboard.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * The services' topics as the dashboard follows them (channel {@code service-events}: {@code deployment.events},
 * {@code station.pointer.moved}, {@code station.runs}, {@code rollout.events}), each instance on its own from the newest record on. An
 * event is only a hint: the procedure it names ({@code data.procedure_id} of the CloudEvents envelope) has changed,
 * so the live pages that follow it read their API page again with their viewer's key. Nothing of the event itself
 * reaches a page, so a viewer sees only what the API shows that viewer; a record that is not such an envelope is
 * skipped (logged at debug), never retried, and no offset is committed.
 */
@ApplicationScoped
public class ServiceEvents {
    private static final Logger LOG = Logger.getLogger(ServiceEvents.class);

    private final LiveStreams live;
    private final ObjectMapper mapper;

    public ServiceEvents(LiveStreams live, ObjectMapper mapper) {
        this.live = live;
        this.mapper = mapper;
    }

    @Incoming("service-events")
    public void event(Object record) {
        if (record == null || !live.anyOpen()) {
            return; // no page is open: nothing to tell, no need to read the record
        }
        // Text from Kafka (cloud-events off); a JsonObject should a connector parse the CloudEvent itself.
        String procedureId = procedureOf(record instanceof io.vertx.core.json.JsonObject json ? json.encode()
                : record.toString());
        if (procedureId != null) {
            live.changed(procedureId);
        }
    }

    /** The procedure an event names, or null when it names none or is not an event. */
    String procedureOf(String record) {
        try {
            JsonNode id = mapper.readTree(record).path("data").path("procedure_id");
            if (id.isTextual() && !id.asText().isEmpty()) {
                return id.asText();
            }
            LOG.debugf("an event without a procedure: %.200s", record);
        } catch (JsonProcessingException e) {
            LOG.debugf("not an event: %s", e.getOriginalMessage());
        }
        return null;
    }
}
