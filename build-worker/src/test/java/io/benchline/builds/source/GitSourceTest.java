package io.benchline.builds.source;

import io.benchline.builds.TestRepos;
import io.benchline.builds.app.BuildFailure;
import io.benchline.builds.app.Deadline;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GitSourceTest {
    @TempDir
    Path temp;

    private static GitSource source(int maxFiles, long maxSourceBytes, List<String> schemes) {
        return new GitSource(new GitSource.Limits(Duration.ofMinutes(1), 50_000_000, maxSourceBytes, maxFiles,
                schemes));
    }

    private static Deadline minute() {
        return Deadline.forBuild(Duration.ofMinutes(1));
    }

    @Test
    void checksOutExactlyTheRequestedCommitNotTheBranchHead() throws Exception {
        Path repo = temp.resolve("repo");
        RevCommit first = TestRepos.create(repo, TestRepos.validProcedure());
        RevCommit second = TestRepos.commit(repo, Map.of("main.py", "print('second')\n", "extra.py", "x = 1\n"),
                "second commit");

        try (SourceTree tree = source(100, 1_000_000, List.of("file")).fetch(repo.toUri().toString(),
                first.getName(), "main", temp.resolve("c1"), minute())) {
            assertThat(tree.commit().sha()).isEqualTo(first.getName());
            assertThat(tree.commit().branch()).isEqualTo("main");
            assertThat(tree.commit().author()).isEqualTo("Ada Tester");
            assertThat(tree.file("extra.py")).isEmpty();
            SourceFile main = tree.file("main.py").orElseThrow();
            assertThat(new String(tree.read(main, 1000), StandardCharsets.UTF_8)).contains("helpers.measure");
        }
        try (SourceTree tree = source(100, 1_000_000, List.of("file")).fetch(repo.toString(), null, "refs/heads/main",
                temp.resolve("c2"), minute())) {
            assertThat(tree.commit().sha()).as("branch head, cloned from a plain path").isEqualTo(second.getName());
            assertThat(tree.commit().message()).isEqualTo("second commit");
            assertThat(tree.files()).extracting(SourceFile::path).contains("extra.py").isSorted();
        }
    }

    @Test
    void explainsAMissingCommitOrBranchOrRepository() {
        Path repo = temp.resolve("repo");
        TestRepos.create(repo, TestRepos.validProcedure());
        GitSource git = source(100, 1_000_000, List.of("file"));
        String url = repo.toUri().toString();

        assertThatThrownBy(() -> git.fetch(url, "0123456789abcdef0123456789abcdef01234567", null, temp.resolve("a"),
                minute())).isInstanceOf(BuildFailure.class).hasMessageContaining("commit 0123456789abcdef")
                .hasMessageContaining("is not in");
        assertThatThrownBy(() -> git.fetch(url, null, "nope", temp.resolve("b"), minute()))
                .isInstanceOf(BuildFailure.class).hasMessage("branch 'nope' does not exist in " + url);
        assertThatThrownBy(() -> git.fetch(temp.resolve("absent").toUri().toString(), null, "main",
                temp.resolve("c"), minute())).isInstanceOf(BuildFailure.class).hasMessageStartingWith("cannot clone ");
        assertThatThrownBy(() -> git.fetch(url, "HEAD", null, temp.resolve("d"), minute()))
                .isInstanceOf(BuildFailure.class).hasMessageContaining("not a 40-digit");
    }

    @Test
    void enforcesFileCountSourceSizeAndUrlSchemes() {
        Path repo = temp.resolve("repo");
        TestRepos.create(repo, TestRepos.validProcedure());
        String url = repo.toUri().toString();

        assertThatThrownBy(() -> source(3, 1_000_000, List.of("file")).fetch(url, null, "main", temp.resolve("a"),
                minute())).isInstanceOf(BuildFailure.class).hasMessageContaining("benchline.build.max-files");
        assertThatThrownBy(() -> source(100, 20, List.of("file")).fetch(url, null, "main", temp.resolve("b"),
                minute())).isInstanceOf(BuildFailure.class).hasMessageContaining("benchline.build.max-source-size");
        assertThatThrownBy(() -> source(100, 1_000_000, List.of("https")).fetch(url, null, "main", temp.resolve("c"),
                minute())).isInstanceOf(BuildFailure.class)
                .hasMessage("clone URL scheme 'file' is not allowed (benchline.build.allowed-url-schemes)");
    }

    @Test
    void timesOutAccordingToTheDeadline() {
        Path repo = temp.resolve("repo");
        TestRepos.create(repo, TestRepos.validProcedure());
        Deadline spent = Deadline.forBuild(Duration.ZERO);

        assertThatThrownBy(() -> source(100, 1_000_000, List.of("file")).fetch(repo.toUri().toString(), null, "main",
                temp.resolve("a"), spent)).isInstanceOf(BuildFailure.class).hasMessageContaining("timed out");
    }

    @Test
    void classifiesUrlsAndRedactsCredentials() {
        assertThat(GitSource.schemeOf("https://github.com/a/b.git")).isEqualTo("https");
        assertThat(GitSource.schemeOf("git@github.com:a/b.git")).isEqualTo("ssh");
        assertThat(GitSource.schemeOf("/srv/repos/b")).isEqualTo("file");
        assertThat(GitSource.schemeOf("file:///srv/repos/b")).isEqualTo("file");
        assertThat(GitSource.redact("https://user:secret@github.com/a/b.git"))
                .isEqualTo("https://***@github.com/a/b.git");
    }
}
