package io.benchline.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The server answered with a status that is not 2xx. Its body is usually RFC 9457 problem JSON ({@code type, title,
 * status, detail, errors[]} plus extension members such as {@code stations}); {@link #lines()} turns it into the
 * message a person reads.
 */
public final class RequestFailed extends IOException {
    private static final Set<String> STANDARD_MEMBERS = Set.of("type", "title", "status", "detail", "instance", "errors");

    private final int status;
    private final String body;
    private final JsonNode problem;

    public RequestFailed(String method, String path, int status, String body) {
        super(method + " " + path + " answered HTTP " + status);
        this.status = status;
        this.body = body == null ? "" : body;
        this.problem = parse(this.body);
    }

    public int status() {
        return status;
    }

    /** The body as the server sent it. */
    public String body() {
        return body;
    }

    /** The problem JSON object, or null when the body is not a JSON object. */
    public JsonNode problem() {
        return problem;
    }

    public int exitCode() {
        return Exit.forStatus(status);
    }

    /** {@code error: <detail>}, then one indented line per field error and per extension member. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        if (problem == null) {
            lines.add("error: " + getMessage() + (body.isBlank() ? "" : ": " + ApiClient.abbreviate(body.strip())));
            return lines;
        }
        String detail = text(problem.get("detail"));
        if (detail == null) {
            detail = text(problem.get("title"));
        }
        lines.add("error: " + (detail == null ? getMessage() : detail));
        for (JsonNode error : problem.path("errors")) {
            String field = text(error.get("field"));
            String message = error.isObject() ? text(error.get("message")) : text(error);
            lines.add("  " + (field == null ? "" : field + ": ") + (message == null ? error.toString() : message));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = problem.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> member = it.next();
            if (!STANDARD_MEMBERS.contains(member.getKey()) && !member.getValue().isNull()) {
                lines.add("  " + member.getKey() + ": " + render(member.getValue()));
            }
        }
        return lines;
    }

    /** Scalars as text, an array of scalars comma-separated, anything else as compact JSON. */
    private static String render(JsonNode value) {
        if (value.isValueNode()) {
            return value.asText();
        }
        if (value.isArray()) {
            List<String> items = new ArrayList<>();
            for (JsonNode item : value) {
                if (!item.isValueNode()) {
                    return value.toString();
                }
                items.add(item.asText());
            }
            return items.isEmpty() ? "(none)" : String.join(", ", items);
        }
        return value.toString();
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() || node.isContainerNode() || node.asText().isBlank() ? null
                : node.asText();
    }

    private static JsonNode parse(String body) {
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }
}
