package io.benchline.common.auth;

import io.benchline.common.api.ProblemException;
import io.benchline.common.api.ProblemMapper;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * {@code /internal} endpoints serve other Benchline services only: they need the shared
 * {@code benchline.auth.internal-token}. The public gateway does not route {@code /internal} at all.
 */
public class InternalTokenFilter {
    public static final String HEADER = "X-Benchline-Internal-Token";
    private final AuthConfig config;

    public InternalTokenFilter(AuthConfig config) {
        this.config = config;
    }

    @ServerRequestFilter(preMatching = true)
    public Response check(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/internal/")) {
            return null;
        }
        String token = request.getHeaderString(HEADER);
        if (token != null && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                config.internalToken().getBytes(StandardCharsets.UTF_8))) {
            return null;
        }
        return ProblemMapper.respond(ProblemException.unauthorized("internal endpoint: a valid " + HEADER
                + " header is required").toProblem(path));
    }
}
