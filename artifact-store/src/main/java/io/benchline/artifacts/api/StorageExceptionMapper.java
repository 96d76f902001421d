package io.benchline.artifacts.api;

import io.benchline.artifacts.storage.StorageException;
import io.benchline.common.api.ProblemException;
import io.benchline.common.api.ProblemMapper;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** An unreachable or failing object store is a transient condition: 503, so callers retry. */
public class StorageExceptionMapper {
    private static final Logger LOG = Logger.getLogger(StorageExceptionMapper.class);

    @ServerExceptionMapper
    public Response storage(StorageException e, UriInfo uri) {
        LOG.warnf(e, "object store failure on %s", uri.getPath());
        return ProblemMapper.respond(ProblemException.unavailable("the object store failed: " + e.getMessage())
                .toProblem(uri.getPath()));
    }
}
