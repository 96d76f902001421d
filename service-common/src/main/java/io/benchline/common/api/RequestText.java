package io.benchline.common.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.List;
import java.util.Map;

/**
 * Path and query parameters hold no control characters: {@code /v2/stations/%00} is a malformed request (400)
 * before any resource sees it or passes the id to the database, which cannot store a NUL (it answered 500).
 */
public class RequestText {

    @ServerRequestFilter(preMatching = true)
    public Response check(ContainerRequestContext request) {
        UriInfo uri = request.getUriInfo();
        String raw = uri.getRequestUri().getRawPath();
        String problem = Text.problem(uri.getPath(), false);
        if (problem != null) {
            return ProblemMapper.respond(ProblemException.invalid("the path " + problem, List.of(
                    new Problem.FieldError("path", problem))).toProblem(raw));
        }
        for (Map.Entry<String, List<String>> parameter : uri.getQueryParameters().entrySet()) {
            String name = parameter.getKey();
            problem = Text.problem(name, false);
            for (int i = 0; problem == null && i < parameter.getValue().size(); i++) {
                problem = Text.problem(parameter.getValue().get(i), false);
            }
            if (problem != null) {
                String field = Text.problem(name, false) == null ? name : "query";
                return ProblemMapper.respond(ProblemException.invalid(field, problem).toProblem(raw));
            }
        }
        return null;
    }
}
