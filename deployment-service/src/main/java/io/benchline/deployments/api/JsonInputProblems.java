package io.benchline.deployments.api;

import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.benchline.common.api.ProblemMapper;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * A body of the wrong shape ({@code "auto_push": {…}}) is a {@link MismatchedInputException}, for which
 * quarkus-rest-jackson has a built-in mapper answering plain JSON. It is more specific than service-common's
 * JsonProcessingException mapper, so without this one such a 400 was not {@code application/problem+json}.
 */
public class JsonInputProblems {
    private final ProblemMapper problems = new ProblemMapper();

    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e, UriInfo uri) {
        return problems.badJson(e, uri);
    }
}
