package io.benchline.artifacts.api;

import io.benchline.artifacts.uploads.Uploads;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.Instant;

/**
 * Service-to-service view of uploads (internal token): deployment-service checks one before it creates a deployment
 * from it, build-worker reads its bytes. Unknown, expired and other organizations' uploads are 404.
 */
@Path("/internal/v1/uploads")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class InternalUploadResource {
    private final Uploads uploads;

    public InternalUploadResource(Uploads uploads) {
        this.uploads = uploads;
    }

    /** @param storedSizeBytes the size of what was PUT, null while nothing was */
    public record UploadView(String id, String organizationId, long sizeBytes, String sha256, Long storedSizeBytes,
            Instant createdAt, Instant expiresAt) {
    }

    @GET
    @Path("/{id}")
    public UploadView describe(@PathParam("id") String id, @QueryParam("organization_id") String organizationId) {
        Uploads.Described d = uploads.describe(organizationId, id);
        return new UploadView(d.upload().id(), d.upload().organizationId(), d.upload().sizeBytes(),
                d.upload().sha256(), d.storedSizeBytes().orElse(null), d.upload().createdAt(),
                d.upload().expiresAt());
    }

    @GET
    @Path("/{id}/content")
    @Produces("application/zip")
    public Response content(@PathParam("id") String id, @QueryParam("organization_id") String organizationId) {
        Uploads.Content content = uploads.content(organizationId, id);
        return Response.ok(content.body(), "application/zip").header(HttpHeaders.CONTENT_LENGTH, content.sizeBytes())
                .build();
    }
}
