package io.benchline.common.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.io.CharConversionException;
import java.util.List;

/** The one place where errors become HTTP responses: always an RFC 9457 problem body. */
public class ProblemMapper {
    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        return respond(e.toProblem(uri.getPath()));
    }

    @ServerExceptionMapper
    public Response domain(DomainError e, UriInfo uri) {
        return respond(toProblem(e, uri.getPath()));
    }

    /** The problem body of a domain error; its status comes from {@link #status}. */
    public static Problem toProblem(DomainError e, String instance) {
        int status = status(e.category());
        return new Problem(Problem.TYPE_BASE + e.kind(), title(status), status, e.getMessage(), instance, e.errors(),
                e.extensions().isEmpty() ? null : e.extensions());
    }

    /** The one mapping of domain error categories to HTTP statuses. */
    public static int status(DomainError.Category category) {
        return switch (category) {
            case INVALID -> 400;
            case UNAUTHENTICATED -> 401;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case TOO_LARGE -> 413;
            case UNAVAILABLE -> 503;
        };
    }

    /** The reason phrase of a status, as the title of a problem that has no more specific one. */
    static String title(int status) {
        Response.Status known = Response.Status.fromStatusCode(status);
        return known != null ? known.getReasonPhrase() : "HTTP " + status;
    }

    /** The problem type of an error the framework made (no route, wrong method, media type, size ...). */
    static String kind(int status) {
        return switch (status) {
            case 401 -> "unauthorized";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 411 -> "length-required";
            case 413 -> "payload-too-large";
            case 414 -> "uri-too-long";
            case 415 -> "unsupported-media-type";
            case 431 -> "headers-too-large";
            default -> status >= 500 ? "internal" : "invalid-request";
        };
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e, UriInfo uri) {
        return respond(jsonProblem(e, uri.getPath()));
    }

    /**
     * A body of the wrong shape or type ({@code "auto_push": " "}). quarkus-rest-jackson has a built-in mapper for
     * exactly this type that answers without a problem body; being as specific, this one replaces it.
     */
    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e, UriInfo uri) {
        return respond(jsonProblem(e, uri.getPath()));
    }

    /** Bytes that are not text in the encoding Jackson detected (a UTF-32 byte order mark, then junk). */
    @ServerExceptionMapper
    public Response notText(CharConversionException e, UriInfo uri) {
        return respond(new Problem(Problem.TYPE_BASE + "invalid-request", "Invalid request", 400,
                "request body is not valid JSON for this endpoint: " + e.getMessage(), uri.getPath(), null));
    }

    /** 400 naming the field (as a JSON path, e.g. {@code repository.clone_url}) when Jackson knows it. */
    static Problem jsonProblem(JsonProcessingException e, String instance) {
        String field = e instanceof MismatchedInputException m && !m.getPath().isEmpty()
                ? m.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                        .reduce((a, b) -> b.startsWith("[") ? a + b : a + "." + b).orElse(null)
                : null;
        String message = e instanceof MismatchedInputException m ? expected(m) : null;
        if (message == null) {
            message = String.valueOf(e.getOriginalMessage());
        }
        String detail = field != null ? field + ": " + message : "request body is not valid JSON for this endpoint: " + message;
        List<Problem.FieldError> errors = field == null ? null : List.of(new Problem.FieldError(field, message));
        return new Problem(Problem.TYPE_BASE + "invalid-request", "Invalid request", 400, detail, instance, errors);
    }

    /** The JSON type a field must have, in API terms rather than Java's; null to keep Jackson's message. */
    private static String expected(MismatchedInputException e) {
        Class<?> type = e.getTargetType();
        if (type == null || e instanceof InvalidFormatException && type == String.class) {
            return null; // StrictJson's own text rules say what is wrong
        }
        if (type == Boolean.class || type == boolean.class) {
            return "must be true or false";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class
                || type == Short.class || type == short.class || type == java.math.BigInteger.class) {
            return "must be an integer";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
            return "must be a number";
        }
        if (type == String.class) {
            return "must be a string";
        }
        if (java.time.temporal.Temporal.class.isAssignableFrom(type)) {
            return "must be a date-time string (RFC 3339, e.g. 2026-01-31T12:00:00Z)";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "must be an array";
        }
        if (type.isEnum()) {
            return null;
        }
        return "must be a JSON object";
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        if (status == 400 && e.getCause() instanceof JsonProcessingException json) {
            // Quarkus REST's JSON reader wraps a syntax error in a bare 400
            return respond(jsonProblem(json, uri.getPath()));
        }
        Response response = respond(new Problem(Problem.TYPE_BASE + kind(status), title(status), status, e.getMessage(),
                uri.getPath(), null));
        if (status == 405 && e.getResponse().getHeaderString("Allow") != null) {
            return Response.fromResponse(response).header("Allow", e.getResponse().getHeaderString("Allow")).build();
        }
        return response;
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e, UriInfo uri) {
        String state = DatabaseErrors.sqlState(e);
        if (DatabaseErrors.isDataException(state)) {
            // The last line of defence: validation should have refused the value before the database saw it.
            LOG.warnf("%s: the database refused a value of the request (SQLSTATE %s): %s", uri.getPath(), state,
                    e.toString());
            return respond(new Problem(Problem.TYPE_BASE + "invalid-request", "Invalid request", 400,
                    "a value in the request cannot be stored or compared (SQLSTATE " + state + ")", uri.getPath(),
                    null));
        }
        if (clientWentAway(e)) {
            // The client (or the gateway, cutting off a body over its limit) closed the connection mid-request.
            LOG.debugf("%s: the connection closed before the request was read: %s", uri.getPath(), e);
            return respond(new Problem(Problem.TYPE_BASE + "invalid-request", "Invalid request", 400,
                    "the request ended before its body did", uri.getPath(), null));
        }
        LOG.errorf(e, "unhandled error on %s", uri.getPath());
        return respond(new Problem(Problem.TYPE_BASE + "internal", "Internal error", 500,
                "the server could not complete the request; it has been logged", uri.getPath(), null));
    }

    private static boolean clientWentAway(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof io.vertx.core.http.HttpClosedException) {
                return true;
            }
        }
        return false;
    }

    public static Response respond(Problem problem) {
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
    }
}
