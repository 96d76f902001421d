package io.benchline.webhooks.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.common.api.ProblemException;
import io.benchline.events.EventCodec;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Reads a webhook body as JSON, honouring the two content types GitHub can be configured to send. */
final class PayloadReader {
    private PayloadReader() {
    }

    /**
     * @param allowForm GitHub hooks may be set to {@code application/x-www-form-urlencoded} ({@code payload=<json>})
     * @throws ProblemException 415 for other content types, 400 for a body that is not a JSON object
     */
    static JsonNode read(String contentType, byte[] body, boolean allowForm) {
        MediaType type = MediaType.parse(contentType);
        if ("application/json".equals(type.essence())) {
            return parseJson(body);
        }
        if (allowForm && "application/x-www-form-urlencoded".equals(type.essence())) {
            return parseJson(formPayload(body));
        }
        throw unsupported("content type " + Payloads.abbreviate(String.valueOf(contentType))
                + " is not supported; send application/json" + (allowForm ? " or application/x-www-form-urlencoded" : ""));
    }

    private static byte[] formPayload(byte[] body) {
        // The signature was checked over these raw form bytes; only now is the payload field decoded.
        String form = new String(body, StandardCharsets.US_ASCII);
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if ("payload".equals(name) && eq >= 0) {
                try {
                    return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw ProblemException.invalid("payload", "is not valid URL encoding");
                }
            }
        }
        throw ProblemException.invalid("payload", "missing: a form-encoded delivery carries its JSON in payload=");
    }

    private static JsonNode parseJson(byte[] json) {
        JsonNode node;
        try {
            node = EventCodec.mapper().readTree(json);
        } catch (IOException e) {
            throw Payloads.badRequest("payload must be valid JSON" + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                    ? ": " + Payloads.abbreviate(j.getOriginalMessage()) : ""));
        }
        if (node == null || !node.isObject()) {
            throw Payloads.badRequest("payload must be a JSON object");
        }
        return node;
    }

    private static ProblemException unsupported(String detail) {
        return new ProblemException(415, "unsupported-media-type", "Unsupported media type", detail);
    }

    /** The parts of a Content-Type header we check: the type itself and a charset, which must be UTF-8 if given. */
    record MediaType(String essence) {
        static MediaType parse(String header) {
            if (header == null || header.isBlank()) {
                throw unsupported("Content-Type is missing; send application/json");
            }
            String[] parts = header.split(";");
            String essence = parts[0].trim().toLowerCase(Locale.ROOT);
            for (int i = 1; i < parts.length; i++) {
                String parameter = parts[i].trim();
                int eq = parameter.indexOf('=');
                if (eq < 0) {
                    throw unsupported("malformed Content-Type parameter: " + Payloads.abbreviate(parameter));
                }
                String name = parameter.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                String value = parameter.substring(eq + 1).trim().replace("\"", "");
                if (name.equals("charset") && !value.equalsIgnoreCase("utf-8")) {
                    throw unsupported("charset must be UTF-8, got '" + Payloads.abbreviate(value) + "'");
                }
            }
            return new MediaType(essence);
        }
    }
}
