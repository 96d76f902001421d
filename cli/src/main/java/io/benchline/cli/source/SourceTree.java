package io.benchline.cli.source;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.StatusCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A directory to deploy, and the git work tree it lies in when there is one: then the {@code .gitignore} files from
 * the work tree's root down and {@code .git/info/exclude} apply, and HEAD tells which commit it is.
 */
public final class SourceTree {
    private final Path dir;
    private final Path workTree;
    private final Path commonDir;

    private SourceTree(Path dir, Path workTree, Path commonDir) {
        this.dir = dir;
        this.workTree = workTree;
        this.commonDir = commonDir;
    }

    /** {@code dir} (a directory; symbolic links in its path resolved) and its repository, if any. */
    public static SourceTree of(Path dir) throws IOException {
        Path real = dir.toRealPath();
        if (!Files.isDirectory(real)) {
            throw new IOException(dir + " is not a directory");
        }
        FileRepositoryBuilder builder = new FileRepositoryBuilder().findGitDir(real.toFile());
        if (builder.getGitDir() == null) {
            return new SourceTree(real, null, null);
        }
        try (Repository repository = builder.setMustExist(true).build()) {
            if (repository.isBare()) {
                return new SourceTree(real, null, null);
            }
            Path workTree = repository.getWorkTree().toPath().toRealPath();
            Path commonDir = repository.getCommonDirectory().toPath();
            // A directory its repository ignores (a build output, say) is not part of it: as git sees it, nothing
            // there is tracked, so neither its rules nor its HEAD describe it.
            if (!real.equals(workTree) && new IgnoreRules(workTree, workTree, commonDir.resolve("info")
                    .resolve("exclude")).ignored(real, true)) {
                return new SourceTree(real, null, null);
            }
            return new SourceTree(real, workTree, commonDir);
        }
    }

    public Path dir() {
        return dir;
    }

    /** Whether the directory is inside a git work tree. */
    public boolean inRepository() {
        return workTree != null;
    }

    /** The ignore rules as the files say now (read lazily, once per instance). */
    public IgnoreRules ignoreRules() {
        return new IgnoreRules(dir, workTree == null ? dir : workTree,
                commonDir == null ? null : commonDir.resolve("info").resolve("exclude"));
    }

    /**
     * What a deployment of the directory says it is. In a repository whose tree (below the directory; ignored files
     * do not count) is clean: HEAD's sha, message and author; with uncommitted changes: no sha and
     * {@code "<HEAD's first line> + uncommitted changes"}. Without a repository (or before the first commit): no sha
     * and {@code "uploaded from <directory name>"}. {@code message}, when given, replaces the message; the author of
     * what is not a commit is git's {@code user.name}, else the OS user.
     */
    public SourceCommit commit(String message) throws IOException {
        String osUser = System.getProperty("user.name");
        String uploaded = "uploaded from " + (dir.getFileName() == null ? dir : dir.getFileName());
        if (workTree == null) {
            return new SourceCommit(null, message != null ? message : uploaded, osUser);
        }
        try (Repository repository = new FileRepositoryBuilder().findGitDir(dir.toFile()).setMustExist(true).build();
             Git git = Git.wrap(repository)) {
            String user = repository.getConfig().getString("user", null, "name");
            String author = user == null || user.isBlank() ? osUser : user;
            ObjectId head = repository.resolve(Constants.HEAD);
            if (head == null) {
                return new SourceCommit(null, message != null ? message : uploaded, author);
            }
            RevCommit commit;
            try (RevWalk walk = new RevWalk(repository)) {
                commit = walk.parseCommit(head);
            }
            StatusCommand status = git.status();
            String below = IgnoreRules.slashed(workTree.relativize(dir));
            if (!below.isEmpty()) {
                status.addPath(below);
            }
            String full = commit.getFullMessage().strip();
            if (status.call().isClean()) {
                return new SourceCommit(head.name(), message != null ? message : full,
                        commit.getAuthorIdent().getName());
            }
            String firstLine = full.lines().findFirst().orElse("");
            return new SourceCommit(null, message != null ? message : firstLine + " + uncommitted changes", author);
        } catch (GitAPIException e) {
            throw new IOException("cannot read the git status of " + workTree + ": " + e.getMessage(), e);
        }
    }
}
