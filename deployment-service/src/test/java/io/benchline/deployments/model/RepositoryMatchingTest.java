package io.benchline.deployments.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The normalization pushes are matched by, and the excluded-branch globs. */
class RepositoryMatchingTest {

    @Test
    void everyUrlFormOfARepositoryHasTheSameKey() {
        for (String url : new String[] {"https://github.com/acme/rig.git", "https://user:pw@GitHub.com/Acme/Rig.git",
                "git@github.com:acme/rig.git", "ssh://git@github.com:22/acme/rig.git", "http://github.com/acme/rig/",
                "git@github.com:Acme/Rig"}) {
            assertThat(RepositoryKeys.normalizeUrl(url)).as(url).isEqualTo("github.com/acme/rig");
        }
        assertThat(RepositoryKeys.normalizeUrl("https://gitlab.com/acme/rig.git")).isEqualTo("gitlab.com/acme/rig");
        assertThat(RepositoryKeys.normalizeUrl(" ")).isNull();
        assertThat(RepositoryKeys.fullNameOf("https://gitlab.example.com/group/sub/rig.git")).isEqualTo("group/sub/rig");
        assertThat(RepositoryKeys.fullNameOf("file:///tmp/repo")).isNull();
        assertThat(RepositoryKeys.normalizeFullName("/Acme/Rig.git/")).isEqualTo("acme/rig");
    }

    @Test
    void branchGlobs() {
        assertThat(BranchPatterns.matches("wip/*", "wip/a")).isTrue();
        assertThat(BranchPatterns.matches("wip/*", "wip/a/b")).isFalse();
        assertThat(BranchPatterns.matches("wip/**", "wip/a/b")).isTrue();
        assertThat(BranchPatterns.matches("tmp-?", "tmp-1")).isTrue();
        assertThat(BranchPatterns.matches("tmp-?", "tmp-12")).isFalse();
        assertThat(BranchPatterns.matches("release.1", "releasex1")).as("dots are literal").isFalse();
        assertThat(BranchPatterns.matches("main", "main")).isTrue();
        assertThat(BranchPatterns.problem("")).isNotNull();
        assertThat(BranchPatterns.problem("a b")).isNotNull();
        assertThat(BranchPatterns.problem("feature/**")).isNull();
    }
}
