package io.benchline.webhooks.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.events.DeploymentRequested;
import io.benchline.events.EventCodec;
import io.benchline.events.EventSchemas;
import io.benchline.events.EventTypes;
import io.benchline.webhooks.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every push-shaped public fixture (GitHub push, GitLab Push/Tag Push/System Hook) normalizes into a
 * deployment.requested that validates against the event schema, with the commit the rules name: nothing for
 * deletions, head_commit/after on GitHub, checkout_sha (not after) on GitLab.
 */
class NormalizersFixtureTest {
    private static final String ORG = "org_01jdtestorganizationwebhk0";

    static JsonNode json(String file) {
        try {
            return EventCodec.mapper().readTree(Fixtures.bytes(file));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static List<JsonNode> manifest() {
        List<JsonNode> entries = new ArrayList<>();
        json("manifest.json").forEach(entries::add);
        return entries;
    }

    @Test
    void theManifestListsAllSixtyFixtures() {
        assertThat(manifest()).hasSize(60);
    }

    @TestFactory
    Stream<DynamicTest> everyPushFixtureNormalizesToAValidEvent() {
        return manifest().stream()
                .filter(e -> e.path("event_header").asText().equals("push") || e.path("provider").asText().equals("gitlab"))
                .map(e -> DynamicTest.dynamicTest(e.path("file").asText(), () -> check(e)));
    }

    private static void check(JsonNode entry) {
        String file = entry.path("file").asText();
        JsonNode body = json(file);
        boolean gitlab = entry.path("provider").asText().equals("gitlab");
        Optional<DeploymentRequested> normalized = gitlab
                ? GitLabPushNormalizer.normalize(body, "delivery-1", "hk_1", ORG)
                : GitHubPushNormalizer.normalize(body, "delivery-1", "hk_1", ORG);
        assertThat(normalized).as("%s has a branch or tag ref", file).isPresent();
        DeploymentRequested push = normalized.get();
        String json = EventCodec.toJson(EventCodec.envelope(EventTypes.DEPLOYMENT_REQUESTED, DeliveryIntake.SOURCE,
                push.deliveryId(), push));
        assertThat(EventSchemas.validate(json)).as("%s schema errors", file).isEmpty();
        assertThat(push.repository().fullName()).isNotBlank();
        assertThat(push.ref()).startsWith(push.refType().equals("branch") ? "refs/heads/" : "refs/tags/")
                .endsWith("/" + push.refName());
        assertThat(push.deleted()).as("deleted <=> no commit").isEqualTo(push.commitSha() == null);
        if (push.deleted()) {
            assertThat(push.headCommit()).isNull();
        } else {
            assertThat(push.headCommit().sha()).isEqualTo(push.commitSha());
            assertThat(push.headCommit().branch()).isEqualTo(push.refType().equals("branch") ? push.refName() : null);
        }
        if (gitlab) {
            assertThat(push.commitSha()).isEqualTo(body.path("checkout_sha").isTextual()
                    ? body.path("checkout_sha").asText() : null);
        } else if (!push.deleted()) {
            String headId = body.path("head_commit").path("id").asText(null);
            assertThat(push.commitSha()).isEqualTo(headId != null ? headId : body.path("after").asText());
        }
    }

    @Test
    void aGitHubDeletionCarriesNoCommit() {
        DeploymentRequested push = GitHubPushNormalizer.normalize(json("github/goscm-push-branch-delete.json"), "d",
                "hk", ORG).orElseThrow();
        assertThat(push.deleted()).isTrue();
        assertThat(push.commitSha()).isNull();
    }

    @Test
    void aBranchCreatedAtAnExistingCommitDeploysHeadCommitThoughCommitsIsEmpty() {
        JsonNode body = json("github/goscm-push-branch-create.json");
        assertThat(body.path("commits")).isEmpty();
        DeploymentRequested push = GitHubPushNormalizer.normalize(body, "d", "hk", ORG).orElseThrow();
        assertThat(push.created()).isTrue();
        assertThat(push.commitSha()).isEqualTo(body.path("head_commit").path("id").asText());
    }
}
