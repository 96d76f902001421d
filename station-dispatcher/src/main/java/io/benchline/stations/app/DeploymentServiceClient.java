package io.benchline.stations.app;

import io.benchline.common.api.ProblemException;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.net.URI;
import java.util.concurrent.TimeUnit;

/** Asks deployment-service, with the caller's own API key, whether a procedure exists for that caller. */
@ApplicationScoped
public class DeploymentServiceClient {
    private static final Logger LOG = Logger.getLogger(DeploymentServiceClient.class);
    private final ProcedureApi api;

    public DeploymentServiceClient(ServicesConfig services, DispatcherConfig config) {
        this.api = QuarkusRestClientBuilder.newBuilder().baseUri(URI.create(services.deploymentUrl()))
                .connectTimeout(config.peerTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(config.peerTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .build(ProcedureApi.class);
    }

    /** Completes when the procedure exists in the caller's organization; 404 problem when it does not. */
    public Uni<Void> requireProcedure(String procedureId, String authorization) {
        return api.get(procedureId, authorization)
                .onFailure().transform(f -> {
                    LOG.warnf("procedure check failed: %s", f.toString());
                    return ProblemException.unavailable("cannot check the procedure now: deployment-service is unreachable");
                })
                .map(response -> {
                    try (response) {
                        int status = response.getStatus();
                        if (status == 200) {
                            return null;
                        }
                        if (status == 404) {
                            throw ProblemException.notFound("procedure", procedureId);
                        }
                        throw ProblemException.unavailable("cannot check the procedure now (deployment-service answered "
                                + status + ")");
                    }
                });
    }

    @Path("/v2/procedures")
    public interface ProcedureApi {
        @GET
        @Path("/{id}")
        Uni<Response> get(@PathParam("id") String id, @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization);
    }
}
