package io.benchline.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JSON Schemas under {@code /schemas}: one for the envelope and one for each event type's data.
 * Audit consumers and tests validate what they read from Kafka against them.
 */
public final class EventSchemas {
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final Map<String, JsonSchema> CACHE = new ConcurrentHashMap<>();

    private EventSchemas() {
    }

    /** Problems with an envelope and its data; empty when both are valid. */
    public static List<String> validate(String envelopeJson) {
        JsonNode node;
        try {
            node = EventCodec.mapper().readTree(envelopeJson);
        } catch (IOException e) {
            return List.of("not JSON: " + e.getMessage());
        }
        Set<ValidationMessage> problems = schema("envelope.schema.json").validate(node);
        if (!problems.isEmpty()) {
            return problems.stream().map(ValidationMessage::getMessage).toList();
        }
        String type = node.get("type").asText();
        if (!EventTypes.DATA_CLASSES.containsKey(type)) {
            return List.of("unknown event type " + type);
        }
        return schema(EventTypes.schemaFile(type)).validate(node.get("data")).stream()
                .map(m -> "data: " + m.getMessage()).toList();
    }

    public static JsonSchema schema(String file) {
        return CACHE.computeIfAbsent(file, f -> {
            try (InputStream in = EventSchemas.class.getResourceAsStream("/schemas/" + f)) {
                if (in == null) {
                    throw new IllegalArgumentException("no schema " + f);
                }
                return FACTORY.getSchema(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
