package io.benchline.deployments.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.common.auth.AuthConfig;
import io.benchline.common.auth.InternalTokenFilter;
import io.benchline.deployments.app.ManagementErrors.DeploymentInUse;
import io.benchline.deployments.app.ManagementErrors.PeerUnavailable;
import io.benchline.deployments.model.Deployment;
import io.benchline.events.EventCodec;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** station-dispatcher's internal delete check, which owns pointers and so the final word on a delete. */
@ApplicationScoped
public class DispatcherClient {
    private static final Logger LOG = Logger.getLogger(DispatcherClient.class);
    private final DispatcherApi api;
    private final AuthConfig auth;

    public DispatcherClient(DeploymentServiceConfig config, AuthConfig auth) {
        this.auth = auth;
        Duration timeout = config.services().dispatcherTimeout();
        this.api = QuarkusRestClientBuilder.newBuilder().baseUri(URI.create(config.services().dispatcherUrl()))
                .connectTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .build(DispatcherApi.class);
    }

    /**
     * Asks station-dispatcher to tombstone the deployment: it succeeds only when no pointer names it, and from then
     * on none can. Fails with {@link DeploymentInUse} (the stations listed) or {@link PeerUnavailable}.
     */
    public Uni<Void> tombstone(Deployment d) {
        Map<String, Object> body = new java.util.HashMap<>();
        body.put("org_id", d.orgId);
        body.put("procedure_id", d.procedureId);
        body.put("sequence", d.sequence);
        body.put("environment", d.environment);
        body.put("branch", d.branch);
        body.put("status", d.status);
        // The REST client may answer on a worker thread; the caller goes on with Hibernate Reactive, which must
        // run on the Vert.x context it was called on.
        io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
        return api.tombstone(d.id, auth.internalToken(), body)
                .emitOn(command -> {
                    if (context == null) {
                        command.run();
                    } else {
                        context.runOnContext(v -> command.run());
                    }
                })
                .onFailure(jakarta.ws.rs.WebApplicationException.class)
                .recoverWithItem(f -> ((jakarta.ws.rs.WebApplicationException) f).getResponse())
                .onFailure().transform(f -> {
                    LOG.warnf("station-dispatcher unreachable for the delete of %s: %s", d.id, f.toString());
                    return new PeerUnavailable("station-dispatcher could not be asked whether stations use deployment "
                            + d.id + "; nothing was deleted, try again");
                })
                .map(response -> {
                    try (response) {
                        int status = response.getStatus();
                        if (status == 204 || status == 200) {
                            return null;
                        }
                        if (status == 409) {
                            JsonNode problem = readTree(response.readEntity(String.class));
                            List<String> stations = new ArrayList<>();
                            problem.path("stations").forEach(s -> stations.add(s.asText()));
                            throw new DeploymentInUse(problem.path("detail").asText("deployment " + d.id
                                    + " is assigned to stations"), stations, problem.path("station_count").asLong(
                                    stations.size()));
                        }
                        throw new PeerUnavailable("station-dispatcher answered " + status + " to the delete check of "
                                + d.id + "; nothing was deleted, try again");
                    }
                });
    }

    /**
     * Asks station-dispatcher to move every pointer off a development deployment whose session ended (unpinned,
     * following its link, or cleared); returns how many moved. Fails with {@link PeerUnavailable}.
     */
    public Uni<Integer> release(String deploymentId, String note) {
        io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
        return api.release(deploymentId, auth.internalToken(), Map.of("note", note))
                .emitOn(command -> {
                    if (context == null) {
                        command.run();
                    } else {
                        context.runOnContext(v -> command.run());
                    }
                })
                .onFailure(jakarta.ws.rs.WebApplicationException.class)
                .recoverWithItem(f -> ((jakarta.ws.rs.WebApplicationException) f).getResponse())
                .onFailure().transform(f -> new PeerUnavailable("station-dispatcher could not be asked to release"
                        + " deployment " + deploymentId + ": " + f))
                .map(response -> {
                    try (response) {
                        if (response.getStatus() != 200) {
                            throw new PeerUnavailable("station-dispatcher answered " + response.getStatus()
                                    + " to the release of " + deploymentId);
                        }
                        return readTree(response.readEntity(String.class)).path("moved").asInt();
                    }
                });
    }

    private static JsonNode readTree(String json) {
        try {
            return EventCodec.mapper().readTree(json);
        } catch (Exception e) {
            return EventCodec.mapper().createObjectNode();
        }
    }

    @Path("/internal/v1/deployments")
    public interface DispatcherApi {
        @POST
        @Path("/{id}/tombstone")
        @Consumes(MediaType.APPLICATION_JSON)
        Uni<Response> tombstone(@PathParam("id") String id, @HeaderParam(InternalTokenFilter.HEADER) String token,
                Map<String, Object> body);

        @POST
        @Path("/{id}/release")
        @Consumes(MediaType.APPLICATION_JSON)
        Uni<Response> release(@PathParam("id") String id, @HeaderParam(InternalTokenFilter.HEADER) String token,
                Map<String, Object> body);
    }
}
