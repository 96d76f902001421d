package io.benchline.dashboard.web;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.io.IOException;

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

    /**
     * The procedure an event names, or null when it names none or is not an event. Read as a token stream up to
     * {@code data.procedure_id}, without building the record's tree: a fan-out sends one record per station.
     */
    String procedureOf(String record) {
        try (JsonParser parser = mapper.getFactory().createParser(record)) {
            if (parser.nextToken() == JsonToken.START_OBJECT) {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    if (parser.nextToken() == JsonToken.START_OBJECT && "data".equals(field)) {
                        String id = procedureIdIn(parser);
                        if (id != null) {
                            return id;
                        }
                        break;
                    }
                    parser.skipChildren();
                }
            }
            LOG.debugf("an event without a procedure: %.200s", record);
        } catch (IOException e) {
            LOG.debugf("not an event: %s", e.getMessage());
        }
        return null;
    }

    /** Within {@code data}: its {@code procedure_id} when that is a non-empty string. */
    private static String procedureIdIn(JsonParser parser) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if ("procedure_id".equals(field)) {
                return value == JsonToken.VALUE_STRING && !parser.getText().isEmpty() ? parser.getText() : null;
            }
            parser.skipChildren();
        }
        return null;
    }
}
