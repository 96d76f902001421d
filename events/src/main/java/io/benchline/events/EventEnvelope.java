package io.benchline.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * The one envelope every event travels in: CloudEvents 1.0 attributes in structured JSON mode,
 * plus {@code schemaversion}. {@code id} and {@code type} are also sent as Kafka headers
 * ({@code ce_id}, {@code ce_type}) so consumers can deduplicate and route without parsing.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EventEnvelope(
        String specversion,
        String id,
        String type,
        String source,
        Instant time,
        String subject,
        String datacontenttype,
        String schemaversion,
        JsonNode data) {

    public static final String SPEC_VERSION = "1.0";
    public static final String SCHEMA_VERSION = "1";
    public static final String HEADER_ID = "ce_id";
    public static final String HEADER_TYPE = "ce_type";
}
