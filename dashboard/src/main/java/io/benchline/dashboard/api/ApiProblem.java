package io.benchline.dashboard.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The API refused a request or could not be reached: an RFC 9457 problem (title, detail, field errors and, for a
 * refused delete, the stations that block it), shown to the user as a message, never as a stack trace.
 */
public class ApiProblem extends RuntimeException {
    private final int status;
    private final String title;
    private final String detail;
    private final List<String> errors;
    private final List<String> stations;

    public ApiProblem(int status, String title, String detail, List<String> errors, List<String> stations) {
        super(status + " " + title + ": " + detail);
        this.status = status;
        this.title = title;
        this.detail = detail;
        this.errors = List.copyOf(errors);
        this.stations = List.copyOf(stations);
    }

    /** The problem a non-2xx answer stands for; a body that is no problem JSON gets a title of its status. */
    static ApiProblem of(int status, JsonNode body) {
        String title = text(body, "title", "The Benchline API answered HTTP " + status);
        String detail = text(body, "detail", "");
        List<String> errors = new ArrayList<>();
        body.path("errors").forEach(e -> errors.add(text(e, "field", "?") + ": " + text(e, "message", "")));
        List<String> stations = new ArrayList<>();
        body.path("stations").forEach(s -> stations.add(s.asText()));
        return new ApiProblem(status, title, detail, errors, stations);
    }

    /** The API did not answer (refused connection, timeout): nothing was changed by this request. */
    public static ApiProblem unreachable(String why) {
        return new ApiProblem(503, "Benchline API unreachable",
                "the dashboard could not reach the Benchline API (" + why + "); try again", List.of(), List.of());
    }

    private static String text(JsonNode node, String field, String fallback) {
        JsonNode value = node.path(field);
        return value.isTextual() && !value.asText().isBlank() ? value.asText() : fallback;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return detail;
    }

    /** Field-level problems of a rejected request, each as "field: message". */
    public List<String> errors() {
        return errors;
    }

    /** The stations a refused delete names (problem member {@code stations}); empty otherwise. */
    public List<String> stations() {
        return stations;
    }
}
