package io.benchline.common.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * An RFC 9457 problem body. {@code type} is a URI naming the error kind; {@code errors} lists
 * field-level problems of a rejected request; {@code extensions} are further members of the body (for example the
 * stations that refuse a delete).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance, List<FieldError> errors,
        @JsonIgnore Map<String, Object> extensions) {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final String TYPE_BASE = "https://benchline.io/problems/";

    public Problem(String type, String title, int status, String detail, String instance, List<FieldError> errors) {
        this(type, title, status, detail, instance, errors, null);
    }

    @JsonAnyGetter
    public Map<String, Object> extensionMembers() {
        return extensions == null ? Map.of() : extensions;
    }

    public record FieldError(String field, String message) {
    }
}
