package io.benchline.webhooks.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.common.api.ProblemException;
import io.benchline.events.Commit;
import io.benchline.events.DeploymentRequested;
import io.benchline.webhooks.model.Provider;

import java.net.URI;
import java.util.Optional;

import static io.benchline.webhooks.app.Payloads.isZeroSha;
import static io.benchline.webhooks.app.Payloads.object;
import static io.benchline.webhooks.app.Payloads.text;

/** Turns a GitLab push, tag push or push-shaped system hook payload into {@link DeploymentRequested}. Pure. */
public final class GitLabPushNormalizer {
    private GitLabPushNormalizer() {
    }

    /** True for a system hook body that describes a push or tag push (by {@code object_kind} or {@code event_name}). */
    public static boolean isPushShaped(JsonNode body) {
        String kind = text(body, "object_kind");
        if (kind == null) {
            kind = text(body, "event_name");
        }
        return "push".equals(kind) || "tag_push".equals(kind);
    }

    /**
     * @return the normalized push; empty when the ref is neither a branch nor a tag
     * @throws ProblemException 400 when ref or project is missing or the checkout sha is not a commit id
     */
    public static Optional<DeploymentRequested> normalize(JsonNode body, String deliveryId, String hookId,
            String orgId) {
        String ref = text(body, "ref");
        if (ref == null) {
            throw ProblemException.invalid("ref", "missing: a push payload names the ref it updated");
        }
        JsonNode project = object(body, "project");
        JsonNode legacyRepository = object(body, "repository");
        if (project == null && legacyRepository == null) {
            throw ProblemException.invalid("project", "missing: a push payload names its project");
        }
        Optional<Payloads.GitRef> parsed = Payloads.parseRef(ref);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        Payloads.GitRef gitRef = parsed.get();
        String before = text(body, "before");
        String after = text(body, "after");
        String checkoutSha = text(body, "checkout_sha");
        boolean deleted = isZeroSha(after) || checkoutSha == null;
        // checkout_sha, not after: for an annotated tag after is the tag object, checkout_sha the commit.
        String commitSha = deleted ? null : Payloads.commitSha("checkout_sha", checkoutSha);

        Commit head = null;
        if (commitSha != null) {
            JsonNode commit = findCommit(body.get("commits"), commitSha);
            head = new Commit(commitSha, text(commit, "message"), text(object(commit, "author"), "name"),
                    gitRef.isBranch() ? gitRef.name() : null,
                    Payloads.timestamp(commit == null ? null : commit.get("timestamp")));
        }
        String pusher = text(body, "user_username") != null ? text(body, "user_username") : text(body, "user_name");
        JsonNode total = body.get("total_commits_count");
        JsonNode commits = body.get("commits");
        int commitCount = total != null && total.canConvertToInt() && total.intValue() >= 0 ? total.intValue()
                : commits != null && commits.isArray() ? commits.size() : 0;

        return Optional.of(new DeploymentRequested(Provider.GITLAB.wireName(), deliveryId, hookId, orgId,
                repository(project, legacyRepository), gitRef.full(), gitRef.type(), gitRef.name(), before, after,
                commitSha, head, isZeroSha(before), deleted, false, pusher, commitCount));
    }

    private static JsonNode findCommit(JsonNode commits, String sha) {
        if (commits == null || !commits.isArray()) {
            return null;
        }
        for (JsonNode commit : commits) {
            String id = text(commit, "id");
            if (id != null && id.equalsIgnoreCase(sha)) {
                return commit;
            }
        }
        return null;
    }

    private static DeploymentRequested.Repository repository(JsonNode project, JsonNode legacy) {
        String webUrl = first(text(project, "web_url"), text(legacy, "homepage"));
        String fullName = text(project, "path_with_namespace");
        if (fullName == null && webUrl != null) {
            fullName = pathOf(webUrl);
        }
        if (fullName == null) {
            throw ProblemException.invalid("project.path_with_namespace",
                    "missing: cannot tell which project was pushed");
        }
        return new DeploymentRequested.Repository(fullName,
                first(text(project, "git_http_url"), text(legacy, "git_http_url")),
                first(text(project, "git_ssh_url"), text(legacy, "git_ssh_url")),
                webUrl);
    }

    private static String pathOf(String url) {
        try {
            String path = URI.create(url).getPath();
            if (path == null) {
                return null;
            }
            path = path.replaceAll("^/+|/+$", "");
            return path.isEmpty() ? null : path;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String first(String a, String b) {
        return a != null ? a : b;
    }
}
