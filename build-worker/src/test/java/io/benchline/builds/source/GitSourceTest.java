package io.benchline.builds.source;

import io.benchline.builds.TestRepos;
import io.benchline.builds.app.BuildFailure;
import io.benchline.builds.app.Deadline;
import io.benchline.repositories.CloneUrlPolicy;
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
        boolean file = schemes.contains("file");
        return new GitSource(new GitSource.Limits(Duration.ofMinutes(1), 50_000_000, maxSourceBytes, maxFiles,
                new CloneUrlPolicy(schemes.stream().filter(s -> !s.equals("file")).toList(), false, file, List.of()),
                CloneUrlPolicy.Resolver.SYSTEM));
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
                .hasMessageStartingWith("clone URL " + url + " refused (file-not-allowed): ")
                .hasMessageContaining("benchline.repositories.allow-file");
    }

    @Test
    void checksTheHostAfterResolvingItAndEveryConnectionTheCloneOpens() throws Exception {
        CloneUrlPolicy.Resolver dns = host -> switch (host) {
            case "git.example.com" -> new java.net.InetAddress[] {java.net.InetAddress.getByName("140.82.121.3")};
            case "rebound.example.com" -> new java.net.InetAddress[] {java.net.InetAddress.getByName("10.0.0.5")};
            default -> throw new java.net.UnknownHostException(host);
        };
        GitSource git = new GitSource(new GitSource.Limits(Duration.ofMinutes(1), 50_000_000, 1_000_000, 100,
                CloneUrlPolicy.defaults(), dns));
        git.admit("https://git.example.com/acme/rig.git");
        assertThatThrownBy(() -> git.admit("https://rebound.example.com/acme/rig.git"))
                .isInstanceOf(BuildFailure.class).hasMessageContaining("refused (private-host)")
                .hasMessageContaining("resolves to a private address");
        assertThatThrownBy(() -> git.admit("https://nowhere.example.com/acme/rig.git"))
                .isInstanceOf(BuildFailure.class).hasMessageContaining("refused (unresolvable-host)");
        assertThatThrownBy(() -> git.fetch("https://169.254.169.254/latest", null, "main", temp.resolve("m"), minute()))
                .isInstanceOf(BuildFailure.class).hasMessageContaining("refused (private-host)");
        assertThat(temp.resolve("m")).doesNotExist();

        // A redirect to an internal address is refused by the connection factory JGit uses for all HTTP.
        CloneGuard guard = new CloneGuard(minute(), temp.resolve("g"), 1_000_000, CloneUrlPolicy.defaults(), dns);
        CloneGuard.Connections connections = new CloneGuard.Connections();
        guard.around(() -> connections.create(new java.net.URL("https://git.example.com/acme/rig.git/info/refs")));
        assertThatThrownBy(() -> guard.around(() -> connections.create(new java.net.URL(
                "http://169.254.169.254/latest/meta-data")))).hasMessageContaining("clone refused a connection");
        assertThat(guard.reason()).contains("169.254.169.254");
        assertThatThrownBy(() -> connections.create(new java.net.URL("https://git.example.com/x")))
                .as("outside a guarded clone").hasMessageContaining("outside a guarded clone");
        assertThat(org.eclipse.jgit.transport.HttpTransport.getConnectionFactory())
                .isInstanceOf(CloneGuard.Connections.class);
    }

    @Test
    void gitReadsAdmittedUrlsAsThePolicyDoes() throws Exception {
        java.net.InetAddress github = java.net.InetAddress.getByName("140.82.121.3");
        GitSource git = new GitSource(new GitSource.Limits(Duration.ofMinutes(1), 50_000_000, 1_000_000, 100,
                new CloneUrlPolicy(List.of("https", "ssh"), false, true, List.of()),
                host -> new java.net.InetAddress[] {github}));
        // Each passes only if JGit's reading (URIish) gives the same scheme and host as the policy's.
        for (String url : List.of("git@github.com:acme/rig.git", "github.com:acme/rig.git",
                "ssh://git@github.com:22/acme/rig.git", "https://GitHub.com./acme/rig", "file:///srv/git/rig.git",
                "/srv/git/rig.git")) {
            git.admit(url);
        }
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
    void redactsCredentials() {
        assertThat(GitSource.redact("https://user:secret@github.com/a/b.git"))
                .isEqualTo("https://***@github.com/a/b.git");
    }
}
