package io.benchline.artifacts.api;

import io.benchline.artifacts.app.Artifacts;
import io.benchline.artifacts.model.Digest;
import io.smallrye.common.annotation.Blocking;
import io.benchline.common.api.ProblemException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;

import java.io.InputStream;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Service-to-service artifact API (guarded by the internal token filter). Object-store calls block: worker threads. */
@Path("/internal/v1/artifacts")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class ArtifactResource {
    private final Artifacts artifacts;

    public ArtifactResource(Artifacts artifacts) {
        this.artifacts = artifacts;
    }

    /**
     * Stores an archive (content-addressed) and returns its digest and the signature for the organization and
     * procedure it was built for. 201 also when it existed.
     */
    @POST
    @Consumes({"application/zip", MediaType.APPLICATION_OCTET_STREAM})
    public Response upload(InputStream body, @HeaderParam(HttpHeaders.CONTENT_LENGTH) Long contentLength,
            @QueryParam("organization_id") String organizationId, @QueryParam("procedure_id") String procedureId) {
        Artifacts.SignedArtifact stored = artifacts.upload(body, contentLength == null ? -1 : contentLength,
                organizationId, procedureId);
        return Response.created(UriBuilder.fromPath("/internal/v1/artifacts/{digest}")
                        .build(stored.digest().toString()))
                .entity(toApi(stored)).build();
    }

    @GET
    @Path("/{digest}")
    public ArtifactApi.StoredArtifact describe(@PathParam("digest") String digest,
            @QueryParam("organization_id") String organizationId, @QueryParam("procedure_id") String procedureId) {
        return toApi(artifacts.describe(Digest.parse(digest), organizationId, procedureId));
    }

    @GET
    @Path("/{digest}/download-url")
    public ArtifactApi.DownloadUrl downloadUrl(@PathParam("digest") String digest, @QueryParam("ttl") String ttl) {
        Artifacts.DownloadUrl url = artifacts.downloadUrl(Digest.parse(digest), ttl);
        return new ArtifactApi.DownloadUrl(url.url(), url.expiresAt());
    }

    @GET
    @Path("/{digest}/contents")
    public ArtifactApi.Contents contents(@PathParam("digest") String digest) {
        return new ArtifactApi.Contents(artifacts.contents(Digest.parse(digest)).stream()
                .map(e -> new ArtifactApi.Entry(e.path(), e.size(), e.sha256())).toList());
    }

    /**
     * One file of the archive, streamed as it is read from the object store; {@code Content-Length} when the
     * archive's local header gives the size (Benchline's builds always do).
     */
    @GET
    @Path("/{digest}/files/{path: .+}")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    public Response file(@PathParam("digest") String digest, @PathParam("path") String path) {
        Artifacts.ArchiveFile file = artifacts.file(Digest.parse(digest), path);
        Response.ResponseBuilder answer = Response.ok(file.body(), MediaType.APPLICATION_OCTET_STREAM_TYPE);
        if (file.size() >= 0) {
            answer.header(HttpHeaders.CONTENT_LENGTH, file.size());
        }
        return answer.build();
    }

    /**
     * 204 when the archive is gone (also when it was already); 409 {@code uploaded-again} when bytes of the digest
     * were uploaded after {@code unless_uploaded_after} (an ISO-8601 instant, required).
     */
    @DELETE
    @Path("/{digest}")
    public Response delete(@PathParam("digest") String digest,
            @QueryParam("unless_uploaded_after") String unlessUploadedAfter) {
        Digest parsed = Digest.parse(digest);
        artifacts.delete(parsed, instant("unless_uploaded_after", unlessUploadedAfter));
        return Response.noContent().build();
    }

    private static Instant instant(String name, String text) {
        if (text == null || text.isBlank()) {
            throw ProblemException.invalid(name, "is required: an ISO-8601 instant such as 2026-01-31T12:00:00Z");
        }
        try {
            return OffsetDateTime.parse(text.trim()).toInstant();
        } catch (DateTimeParseException e) {
            throw ProblemException.invalid(name, "must be an ISO-8601 instant such as 2026-01-31T12:00:00Z");
        }
    }

    private static ArtifactApi.StoredArtifact toApi(Artifacts.SignedArtifact stored) {
        return new ArtifactApi.StoredArtifact(stored.digest().toString(), stored.sizeBytes(), stored.signature(),
                stored.keyId());
    }
}
