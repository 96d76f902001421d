package io.benchline.webhooks.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.common.api.ProblemException;
import io.benchline.events.Commit;
import io.benchline.events.DeploymentRequested;
import io.benchline.webhooks.model.Provider;

import java.util.Optional;

import static io.benchline.webhooks.app.Payloads.bool;
import static io.benchline.webhooks.app.Payloads.isZeroSha;
import static io.benchline.webhooks.app.Payloads.object;
import static io.benchline.webhooks.app.Payloads.text;

/** Turns a GitHub {@code push} payload into {@link DeploymentRequested}. Pure: no I/O, no clock. */
public final class GitHubPushNormalizer {
    private GitHubPushNormalizer() {
    }

    /**
     * @return the normalized push; empty when the ref is neither a branch nor a tag (nothing to deploy or audit)
     * @throws ProblemException 400 when the payload lacks what every push has (ref, repository) or has a bad commit id
     */
    public static Optional<DeploymentRequested> normalize(JsonNode body, String deliveryId, String hookId,
            String orgId) {
        String ref = text(body, "ref");
        if (ref == null) {
            throw ProblemException.invalid("ref", "missing: a push payload names the ref it updated");
        }
        JsonNode repository = object(body, "repository");
        if (repository == null) {
            throw ProblemException.invalid("repository", "missing: a push payload names its repository");
        }
        Optional<Payloads.GitRef> parsed = Payloads.parseRef(ref);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        Payloads.GitRef gitRef = parsed.get();
        String before = text(body, "before");
        String after = text(body, "after");
        boolean deleted = bool(body, "deleted") || isZeroSha(after);
        boolean created = bool(body, "created") || isZeroSha(before);
        JsonNode headCommit = object(body, "head_commit");

        String commitSha = null;
        if (!deleted) {
            String id = text(headCommit, "id");
            if (id != null) {
                commitSha = Payloads.commitSha("head_commit.id", id);
            } else if (after != null && !isZeroSha(after)) {
                // A branch created at an existing commit may come without head_commit: after is the commit.
                headCommit = null;
                commitSha = Payloads.commitSha("after", after);
            }
        }
        Commit head = commitSha == null ? null : new Commit(commitSha,
                text(headCommit, "message"),
                text(object(headCommit, "author"), "name"),
                gitRef.isBranch() ? gitRef.name() : null,
                Payloads.timestamp(headCommit == null ? null : headCommit.get("timestamp")));

        JsonNode pusher = object(body, "pusher");
        String pusherName = text(pusher, "name");
        if (pusherName == null) {
            pusherName = text(object(body, "sender"), "login");
        }
        JsonNode commits = body.get("commits");
        int commitCount = commits != null && commits.isArray() ? commits.size() : 0;

        return Optional.of(new DeploymentRequested(Provider.GITHUB.wireName(), deliveryId, hookId, orgId,
                repository(repository), gitRef.full(), gitRef.type(), gitRef.name(), before, after, commitSha, head,
                created, deleted, bool(body, "forced"), pusherName, commitCount));
    }

    private static DeploymentRequested.Repository repository(JsonNode repository) {
        String fullName = text(repository, "full_name");
        if (fullName == null) {
            // Legacy (GitHub Services) payloads carry only name and owner{name,email}.
            JsonNode owner = object(repository, "owner");
            String ownerName = text(owner, "login") != null ? text(owner, "login") : text(owner, "name");
            String name = text(repository, "name");
            if (ownerName != null && name != null) {
                fullName = ownerName + "/" + name;
            }
        }
        if (fullName == null) {
            throw ProblemException.invalid("repository.full_name", "missing: cannot tell which repository was pushed");
        }
        String htmlUrl = text(repository, "html_url");
        String url = text(repository, "url");
        if (htmlUrl == null && url != null && !url.contains("/api/") && !url.contains("://api.")) {
            htmlUrl = url; // legacy payloads: url is the web page, not the API
        }
        return new DeploymentRequested.Repository(fullName, text(repository, "clone_url"), text(repository, "ssh_url"),
                htmlUrl);
    }
}
