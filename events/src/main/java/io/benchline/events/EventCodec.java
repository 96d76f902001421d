package io.benchline.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/** Writes and reads envelopes. One mapper configuration for every producer and consumer. */
public final class EventCodec {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            // Readers tolerate fields added by a newer producer of the same schema version.
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private EventCodec() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Builds an envelope with a fresh event id and the current time. */
    public static EventEnvelope envelope(String type, String source, String subject, Object data) {
        return envelope(EventIds.next(), type, source, subject, Instant.now().truncatedTo(ChronoUnit.MICROS), data);
    }

    public static EventEnvelope envelope(String id, String type, String source, String subject, Instant time,
            Object data) {
        Objects.requireNonNull(type, "type");
        Class<?> expected = EventTypes.DATA_CLASSES.get(type);
        if (expected == null) {
            throw new IllegalArgumentException("unknown event type " + type);
        }
        if (!expected.isInstance(data)) {
            throw new IllegalArgumentException(type + " carries " + expected.getSimpleName() + ", not "
                    + (data == null ? "null" : data.getClass().getSimpleName()));
        }
        return new EventEnvelope(EventEnvelope.SPEC_VERSION, id, type, source, time, subject, "application/json",
                EventEnvelope.SCHEMA_VERSION, MAPPER.valueToTree(data));
    }

    public static String toJson(EventEnvelope envelope) {
        try {
            return MAPPER.writeValueAsString(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize event " + envelope.id(), e);
        }
    }

    /** Parses an envelope; throws {@link MalformedEventException} for anything that is not one. */
    public static EventEnvelope parse(String json) {
        try {
            EventEnvelope envelope = MAPPER.readValue(json, EventEnvelope.class);
            if (envelope.id() == null || envelope.type() == null || envelope.data() == null) {
                throw new MalformedEventException("event lacks id, type or data");
            }
            return envelope;
        } catch (JsonProcessingException e) {
            throw new MalformedEventException("event is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** The envelope's data as the record its type names. */
    public static <T> T data(EventEnvelope envelope, Class<T> type) {
        Class<?> expected = EventTypes.DATA_CLASSES.get(envelope.type());
        if (expected != type) {
            throw new MalformedEventException("event " + envelope.id() + " is " + envelope.type() + ", not "
                    + type.getSimpleName());
        }
        try {
            return MAPPER.treeToValue(envelope.data(), type);
        } catch (JsonProcessingException e) {
            throw new MalformedEventException("event " + envelope.id() + " data does not match "
                    + type.getSimpleName() + ": " + e.getOriginalMessage());
        }
    }

    public static JsonNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }

    /** Thrown for a message that can never be processed; consumers send it to their dead-letter topic. */
    public static final class MalformedEventException extends RuntimeException {
        public MalformedEventException(String message) {
            super(message);
        }
    }
}
