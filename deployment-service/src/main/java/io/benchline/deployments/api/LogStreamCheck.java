package io.benchline.deployments.api;

import io.benchline.common.auth.CurrentCaller;
import io.benchline.common.auth.Role;
import io.benchline.deployments.app.DeploymentService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.NameBinding;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Checks a live log stream's deployment before the stream starts: once an event stream has begun, a failure can no
 * longer be an answer of its own, so an unknown deployment (or a missing role) is refused here, as problem JSON.
 */
public class LogStreamCheck {
    /** Marks the resource methods whose {@code {id}} must name a deployment the caller may read. */
    @NameBinding
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    public @interface ExistingDeployment {
    }

    private final DeploymentService deployments;
    private final CurrentCaller caller;

    public LogStreamCheck(DeploymentService deployments, CurrentCaller caller) {
        this.deployments = deployments;
        this.caller = caller;
    }

    // After ApiKeyFilter (AUTHENTICATION): the caller must be known.
    @ExistingDeployment
    @ServerRequestFilter(priority = jakarta.ws.rs.Priorities.USER)
    public Uni<Void> deploymentExists(UriInfo uri) {
        String orgId = caller.require(Role.VIEWER, "reading build logs").orgId();
        return deployments.logPage(orgId, uri.getPathParameters().getFirst("id"), 0, 1).replaceWithVoid();
    }
}
