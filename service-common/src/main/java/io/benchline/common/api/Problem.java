package io.benchline.common.api;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * An RFC 9457 problem body. {@code type} is a URI naming the error kind; {@code errors} lists
 * field-level problems of a rejected request.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance, List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final String TYPE_BASE = "https://benchline.io/problems/";

    public record FieldError(String field, String message) {
    }
}
