package io.benchline.deployments.api;

import java.util.List;

/** Body of POST and PATCH /v2/procedures; on PATCH absent fields stay as they are. */
public record ProcedureRequest(String name, Repository repository, String productionBranch, Boolean autoPush,
        List<String> excludedBranches) {

    public record Repository(String provider, String cloneUrl, String fullName) {
    }
}
