package io.benchline.cli.source;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The commit metadata of a directory: in a clean or dirty work tree, below one, before any commit, outside git. */
class SourceTreeTest {
    @TempDir
    Path temp;

    private static RevCommit commitAll(Git git, String message) throws Exception {
        git.add().addFilepattern(".").call();
        return git.commit().setMessage(message).setAuthor("Ada Lovelace", "ada@example.com")
                .setCommitter("Ada Lovelace", "ada@example.com").setSign(false).call();
    }

    @Test
    void withoutARepositoryItIsAnUploadByTheOsUser() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("flash-test"));
        SourceTree tree = SourceTree.of(dir);

        assertThat(tree.inRepository()).isFalse();
        assertThat(tree.commit(null)).isEqualTo(new SourceCommit(null, "uploaded from flash-test",
                System.getProperty("user.name")));
        assertThat(tree.commit("try this").message()).isEqualTo("try this");
    }

    @Test
    void beforeTheFirstCommitThereIsNoSha() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("flash-test"));
        Git.init().setDirectory(dir.toFile()).call().close();
        Files.writeString(dir.resolve("main.py"), "main");

        SourceCommit commit = SourceTree.of(dir).commit(null);
        assertThat(commit.sha()).isNull();
        assertThat(commit.message()).isEqualTo("uploaded from flash-test");
    }

    @Test
    void onlyChangesBelowTheDirectoryMakeItDirty() throws Exception {
        Path repo = Files.createDirectories(temp.resolve("repo"));
        Path dir = Files.createDirectories(repo.resolve("procedures/flash"));
        Files.writeString(dir.resolve("main.py"), "main");
        Files.writeString(repo.resolve("README.md"), "readme");
        try (Git git = Git.init().setDirectory(repo.toFile()).call()) {
            RevCommit head = commitAll(git, "First\nsecond line");
            Files.writeString(repo.resolve("README.md"), "changed outside the directory");

            assertThat(SourceTree.of(dir).commit(null)).isEqualTo(new SourceCommit(head.name(), "First\nsecond line",
                    "Ada Lovelace"));

            Files.writeString(dir.resolve("new.py"), "untracked, not ignored: packed, so it counts");
            SourceCommit dirty = SourceTree.of(dir).commit(null);
            assertThat(dirty.sha()).isNull();
            assertThat(dirty.message()).isEqualTo("First + uncommitted changes");
        }
    }

    @Test
    void aDirectoryItsRepositoryIgnoresIsNotPartOfIt() throws Exception {
        Path repo = Files.createDirectories(temp.resolve("repo"));
        Path dir = Files.createDirectories(repo.resolve("target/work/flash"));
        Files.writeString(repo.resolve(".gitignore"), "target/\n");
        Files.writeString(dir.resolve("main.py"), "main");
        try (Git git = Git.init().setDirectory(repo.toFile()).call()) {
            commitAll(git, "First");
            SourceTree tree = SourceTree.of(dir);
            assertThat(tree.inRepository()).isFalse();
            assertThat(tree.commit(null)).isEqualTo(new SourceCommit(null, "uploaded from flash",
                    System.getProperty("user.name")));
            assertThat(tree.ignoreRules().ignored(dir.resolve("main.py"), false)).isFalse();
        }
    }
}
