package io.benchline.deployments.app;

import java.util.List;

/**
 * A validated procedure definition or change; null fields of a change are left as they are.
 *
 * @param fullName the repository's owner/name as the provider shows it; optional
 */
public record ProcedureSpec(String name, String provider, String cloneUrl, String fullName, String productionBranch,
        Boolean autoPush, List<String> excludedBranches) {
}
