package io.benchline.common.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.List;
import java.util.Map;

/**
 * Path and query parameters hold no control characters: {@code /v2/stations/%00} is a malformed request (400 naming
 * the parameter, here {@code id}) before the resource sees it or passes the id to the database, which cannot store a
 * NUL (it answered 500). It runs once the route is matched, so that path parameters have their names; a path that
 * matches no route is a 404 whatever it holds.
 */
public class RequestText {

    @ServerRequestFilter
    public Response check(ContainerRequestContext request) {
        UriInfo uri = request.getUriInfo();
        Problem.FieldError error = firstError(uri.getPathParameters());
        if (error == null) {
            error = firstError(uri.getQueryParameters());
        }
        if (error == null) {
            return null;
        }
        return ProblemMapper.respond(ProblemException.invalid(error.field() + ": " + error.message(), List.of(error))
                .toProblem(uri.getRequestUri().getRawPath()));
    }

    /** The first parameter whose name or value {@link Text} refuses; a name it refuses is reported as "query". */
    static Problem.FieldError firstError(MultivaluedMap<String, String> parameters) {
        for (Map.Entry<String, List<String>> parameter : parameters.entrySet()) {
            String name = parameter.getKey();
            String problem = Text.problem(name, false);
            if (problem != null) {
                return new Problem.FieldError("query", "a parameter name " + problem);
            }
            for (String value : parameter.getValue()) {
                problem = Text.problem(value, false);
                if (problem != null) {
                    return new Problem.FieldError(name, problem);
                }
            }
        }
        return null;
    }
}
