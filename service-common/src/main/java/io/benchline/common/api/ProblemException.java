package io.benchline.common.api;

import java.util.List;

/**
 * A domain error with its HTTP meaning. Use cases throw these (or return failed Unis with them);
 * {@link ProblemMapper} turns every one into a problem response in one place.
 */
public class ProblemException extends RuntimeException {
    private final int status;
    private final String kind;
    private final String title;
    private final List<Problem.FieldError> errors;

    public ProblemException(int status, String kind, String title, String detail) {
        this(status, kind, title, detail, null);
    }

    public ProblemException(int status, String kind, String title, String detail, List<Problem.FieldError> errors) {
        super(detail);
        this.status = status;
        this.kind = kind;
        this.title = title;
        this.errors = errors;
    }

    public static ProblemException notFound(String what, String id) {
        return new ProblemException(404, "not-found", "Not found", what + " " + id + " does not exist");
    }

    public static ProblemException invalid(String detail, List<Problem.FieldError> errors) {
        return new ProblemException(400, "invalid-request", "Invalid request", detail, errors);
    }

    public static ProblemException invalid(String field, String message) {
        return invalid(field + ": " + message, List.of(new Problem.FieldError(field, message)));
    }

    public static ProblemException conflict(String kind, String detail) {
        return new ProblemException(409, kind, "Conflict", detail);
    }

    public static ProblemException unauthorized(String detail) {
        return new ProblemException(401, "unauthorized", "Unauthorized", detail);
    }

    public static ProblemException tooLarge(String detail) {
        return new ProblemException(413, "payload-too-large", "Payload too large", detail);
    }

    public static ProblemException unavailable(String detail) {
        return new ProblemException(503, "unavailable", "Service unavailable", detail);
    }

    public int status() {
        return status;
    }

    public String kind() {
        return kind;
    }

    public String title() {
        return title;
    }

    public List<Problem.FieldError> errors() {
        return errors;
    }

    public Problem toProblem(String instance) {
        return new Problem(Problem.TYPE_BASE + kind, title, status, getMessage(), instance, errors);
    }
}
