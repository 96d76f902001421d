package io.benchline.common.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

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

    private static String title(int status) {
        Response.Status known = Response.Status.fromStatusCode(status);
        return known != null ? known.getReasonPhrase() : "HTTP " + status;
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e, UriInfo uri) {
        String field = e instanceof MismatchedInputException m && !m.getPath().isEmpty()
                ? m.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                        .reduce((a, b) -> a + "." + b).orElse(null)
                : null;
        String detail = "request body is not valid JSON for this endpoint: " + e.getOriginalMessage();
        List<Problem.FieldError> errors = field == null ? null : List.of(new Problem.FieldError(field, e.getOriginalMessage()));
        return respond(new Problem(Problem.TYPE_BASE + "invalid-request", "Invalid request", 400, detail, uri.getPath(), errors));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        String title = Response.Status.fromStatusCode(status) != null
                ? Response.Status.fromStatusCode(status).getReasonPhrase() : "HTTP " + status;
        String kind = switch (status) {
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 413 -> "payload-too-large";
            case 415 -> "unsupported-media-type";
            default -> status >= 500 ? "internal" : "invalid-request";
        };
        Response response = respond(new Problem(Problem.TYPE_BASE + kind, title, status, e.getMessage(), uri.getPath(), null));
        if (status == 405 && e.getResponse().getHeaderString("Allow") != null) {
            return Response.fromResponse(response).header("Allow", e.getResponse().getHeaderString("Allow")).build();
        }
        return response;
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e, UriInfo uri) {
        LOG.errorf(e, "unhandled error on %s", uri.getPath());
        return respond(new Problem(Problem.TYPE_BASE + "internal", "Internal error", 500,
                "the server could not complete the request; it has been logged", uri.getPath(), null));
    }

    public static Response respond(Problem problem) {
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
    }
}
