package io.benchline.builds;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

/** Real git repositories in a temp directory, made with JGit, for tests that clone them. */
public final class TestRepos {
    public static final String VALID_PROCEDURE = """
            name: Voltage check
            runtime: python 3.11
            entry_point: main.py
            """;

    private TestRepos() {
    }

    /** A repository on branch main with the given files in one commit; returns the commit. */
    public static RevCommit create(Path dir, Map<String, String> files) {
        try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
            return commit(git, files, "first commit\n\nwith a body");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the files into the working tree of the repository at {@code dir} and commits them. */
    public static RevCommit commit(Path dir, Map<String, String> files, String message) {
        try (Git git = Git.open(dir.toFile())) {
            return commit(git, files, message);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static RevCommit commit(Git git, Map<String, String> files, String message) {
        try {
            Path root = git.getRepository().getWorkTree().toPath();
            for (Map.Entry<String, String> file : files.entrySet()) {
                Path path = root.resolve(file.getKey());
                Files.createDirectories(path.getParent());
                Files.writeString(path, file.getValue(), StandardCharsets.UTF_8);
            }
            git.add().addFilepattern(".").call();
            PersonIdent who = new PersonIdent("Ada Tester", "ada@example.com",
                    Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
            return git.commit().setMessage(message).setAuthor(who).setCommitter(who).setSign(false).call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A valid procedure: procedure.yaml, main.py, a helper module and requirements.txt. */
    public static Map<String, String> validProcedure() {
        return Map.of(
                "procedure.yaml", VALID_PROCEDURE,
                "main.py", "from lib import helpers\nprint(helpers.measure())\n",
                "lib/helpers.py", "def measure():\n    return 3.3\n",
                "lib/__init__.py", "",
                "requirements.txt", "pyserial==3.5\n",
                ".gitignore", "__pycache__/\n");
    }
}
