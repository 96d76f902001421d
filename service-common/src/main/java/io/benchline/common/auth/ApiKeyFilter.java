package io.benchline.common.auth;

import io.benchline.common.api.ProblemException;
import io.benchline.common.api.ProblemMapper;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every {@code /v2} request needs {@code Authorization: Bearer <api key>}. The key decides the
 * organization: resources scope every read and write to {@link CurrentCaller#orgId()}.
 */
public class ApiKeyFilter {
    private final ApiKeyVerifier verifier;
    private final CurrentCaller current;

    public ApiKeyFilter(ApiKeyVerifier verifier, CurrentCaller current) {
        this.verifier = verifier;
        this.current = current;
    }

    // Authentication first: filters of resources (their priority USER or later) rely on the caller being known.
    @ServerRequestFilter(priority = jakarta.ws.rs.Priorities.AUTHENTICATION)
    public Uni<Response> authenticate(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.equals("/v2") && !path.startsWith("/v2/")) {
            return Uni.createFrom().nullItem();
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() <= 7) {
            return Uni.createFrom().item(unauthorized(path, "an API key is required: send Authorization: Bearer <key>"));
        }
        return verifier.verify(header.substring(7).trim())
                .map(caller -> {
                    if (caller.isEmpty()) {
                        return unauthorized(path, "the API key is not valid");
                    }
                    current.set(caller.get());
                    return (Response) null;
                })
                .onFailure(ProblemException.class).recoverWithItem(f ->
                        ProblemMapper.respond(((ProblemException) f).toProblem(path)));
    }

    private static Response unauthorized(String path, String detail) {
        return Response.fromResponse(ProblemMapper.respond(ProblemException.unauthorized(detail).toProblem(path)))
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"benchline\"").build();
    }

}
