package io.benchline.deployments.app;

import java.util.List;

/**
 * A validated procedure definition or change; null fields of a change are left as they are.
 *
 * @param fullName    the repository's owner/name as the provider shows it; optional
 * @param credentials new repository credentials, {@link Credentials#NONE} to remove them, null to keep them
 */
public record ProcedureSpec(String name, String provider, String cloneUrl, String fullName, String productionBranch,
        Boolean autoPush, List<String> excludedBranches, Credentials credentials, Reconcile reconcile) {

    public ProcedureSpec(String name, String provider, String cloneUrl, String fullName, String productionBranch,
            Boolean autoPush, List<String> excludedBranches, Credentials credentials) {
        this(name, provider, cloneUrl, fullName, productionBranch, autoPush, excludedBranches, credentials, null);
    }

    /**
     * The reconciler's settings as given; a null field is left as it is (on create: off, the default interval).
     *
     * @param interval already within {@code benchline.reconcile.min-interval} and {@code max-interval}
     */
    public record Reconcile(Boolean enabled, java.time.Duration interval) {
    }

    public ProcedureSpec(String name, String provider, String cloneUrl, String fullName, String productionBranch,
            Boolean autoPush, List<String> excludedBranches) {
        this(name, provider, cloneUrl, fullName, productionBranch, autoPush, excludedBranches, null);
    }

    /**
     * Repository credentials as given, in clear: only ever sealed by {@link CredentialsCipher} and never logged.
     *
     * @param type     token, ssh_key or none (remove)
     * @param username for a token: the HTTP user name sent with it (null: the provider's usual one)
     */
    public record Credentials(String type, String username, String token, String privateKey) {
        public static final Credentials NONE = new Credentials("none", null, null, null);

        public boolean removes() {
            return type.equals("none");
        }

        @Override
        public String toString() {
            return "Credentials[type=" + type + "]";
        }
    }
}
