package io.benchline.artifacts.api;

import io.benchline.artifacts.uploads.Uploads;
import io.benchline.common.auth.CurrentCaller;
import io.benchline.common.auth.Role;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST /v2/uploads}: a member announces a working tree's archive (size and sha256) and gets a presigned PUT
 * URL for it, valid for {@code benchline.uploads.url-ttl}. The bytes go straight to the object store; a deployment
 * then names the upload ({@code POST /v2/deployments {upload_id}}).
 */
@Path("/v2/uploads")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Blocking
public class UploadResource {
    private final Uploads uploads;
    private final CurrentCaller caller;

    public UploadResource(Uploads uploads, CurrentCaller caller) {
        this.uploads = uploads;
        this.caller = caller;
    }

    public record CreateUpload(Long sizeBytes, String sha256) {
    }

    public record CreatedUpload(String id, String url, String method, long sizeBytes, String sha256,
            java.time.Instant expiresAt, long maxSizeBytes) {
    }

    @POST
    public Response create(CreateUpload body) {
        var member = caller.require(Role.MEMBER, "upload a working tree");
        Uploads.Created created = uploads.create(member.orgId(), member.keyId(),
                body == null ? null : body.sizeBytes(), body == null ? null : body.sha256());
        return Response.status(201).entity(new CreatedUpload(created.upload().id(), created.url(), "PUT",
                created.upload().sizeBytes(), created.upload().sha256(), created.urlExpiresAt(),
                created.maxSizeBytes())).build();
    }
}
