package io.benchline.deployments.app;

import io.benchline.common.api.DomainError;
import io.benchline.common.api.Problem;
import io.benchline.repositories.CloneUrlPolicy;

import java.util.List;
import java.util.Map;

/** The rules of a procedure's repository: where clones may go, which credentials fit, who may read them. */
public final class RepositoryErrors {
    private RepositoryErrors() {
    }

    /** The clone URL policy ({@code benchline.repositories.*}) refuses the URL; {@code rule} names the rule. */
    public static final class CloneUrlNotAllowed extends DomainError {
        private final CloneUrlPolicy.Refusal refusal;

        public CloneUrlNotAllowed(CloneUrlPolicy.Refusal refusal) {
            super("repository.clone_url: " + refusal.message());
            this.refusal = refusal;
        }

        @Override
        public Category category() {
            return Category.INVALID;
        }

        @Override
        public String kind() {
            return "clone-url-not-allowed";
        }

        @Override
        public List<Problem.FieldError> errors() {
            return List.of(new Problem.FieldError("repository.clone_url", refusal.message()));
        }

        @Override
        public Map<String, Object> extensions() {
            return Map.of("rule", refusal.rule().id());
        }
    }

    /** A token is for https (or http), a deploy key for ssh. */
    public static final class CredentialsDoNotFit extends DomainError {
        public CredentialsDoNotFit(String type, String scheme) {
            super("repository.credentials: " + (type.equals("token")
                    ? "a token authenticates https clones; the clone URL is " + scheme
                    : "an SSH deploy key authenticates ssh clones; the clone URL is " + scheme));
        }

        @Override
        public Category category() {
            return Category.INVALID;
        }

        @Override
        public String kind() {
            return "credentials-do-not-fit";
        }

        @Override
        public List<Problem.FieldError> errors() {
            return List.of(new Problem.FieldError("repository.credentials", getMessage()
                    .substring("repository.credentials: ".length())));
        }
    }

    /** Credentials are handed only to the build of a deployment of their procedure that is still pending or building. */
    public static final class NotBuilding extends DomainError {
        public NotBuilding(String procedureId, String deploymentId, String why) {
            super("the credentials of " + procedureId + " are not handed out for " + deploymentId + ": " + why);
        }

        @Override
        public Category category() {
            return Category.CONFLICT;
        }

        @Override
        public String kind() {
            return "not-building";
        }
    }
}
