package io.benchline.deployments.api;

import io.benchline.common.api.MultiLine;

import java.util.List;

/** Body of POST and PATCH /v2/procedures; on PATCH absent fields stay as they are. */
public record ProcedureRequest(String name, Repository repository, String productionBranch, Boolean autoPush,
        List<String> excludedBranches, Reconcile reconcile) {

    public ProcedureRequest(String name, Repository repository, String productionBranch, Boolean autoPush,
            List<String> excludedBranches) {
        this(name, repository, productionBranch, autoPush, excludedBranches, null);
    }

    /**
     * The reconciler for missed pushes: {@code enabled} (default false), {@code interval} between passes
     * ({@code 90s}, {@code 5m}, {@code 1h} or ISO-8601; default {@code benchline.reconcile.default-interval}).
     */
    public record Reconcile(Boolean enabled, String interval) {
    }

    /** @param credentials write-only: accepted here, never shown again (GET shows only has_credentials) */
    public record Repository(String provider, String cloneUrl, String fullName, Credentials credentials) {
    }

    /**
     * {@code {type: token, token, username?}}, {@code {type: ssh_key, private_key}}, or on PATCH {@code {type: none}}
     * to remove them. A private key is PEM text, so it may span lines.
     */
    public record Credentials(String type, String token, String username, @MultiLine String privateKey) {
        @Override
        public String toString() {
            return "Credentials[type=" + type + "]";
        }
    }
}
