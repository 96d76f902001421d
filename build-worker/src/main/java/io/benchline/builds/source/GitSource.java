package io.benchline.builds.source;

import io.benchline.builds.app.BuildConfig;
import io.benchline.builds.app.BuildFailure;
import io.benchline.builds.app.Deadline;
import io.benchline.events.Commit;
import io.benchline.repositories.CloneUrlPolicy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.treewalk.TreeWalk;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Clones a repository (bare: no working tree) and reads exactly one commit's files from the object database,
 * within the clone URL policy, the clone timeout, the repository size limit, the file count limit and the source
 * size limit.
 */
@ApplicationScoped
public class GitSource {
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}");

    private final Limits limits;

    @Inject
    public GitSource(BuildConfig config, CloneUrlPolicy policy) {
        this(new Limits(config.cloneTimeout(), config.maxRepositorySize().asLongValue(),
                config.maxSourceSize().asLongValue(), config.maxFiles(), policy, CloneUrlPolicy.Resolver.SYSTEM));
    }

    public GitSource(Limits limits) {
        this.limits = limits;
    }

    /** The limits a clone runs under, and where it may go ({@code benchline.repositories.*}). */
    public record Limits(java.time.Duration cloneTimeout, long maxRepositoryBytes, long maxSourceBytes,
            int maxFiles, CloneUrlPolicy policy, CloneUrlPolicy.Resolver resolver) {
    }

    /**
     * Refuses a clone URL the clone URL policy does not allow, checked with the addresses its host resolves to now:
     * what the worker asks before it fetches credentials or clones.
     */
    public void admit(String cloneUrl) {
        if (cloneUrl == null || cloneUrl.isBlank()) {
            throw new BuildFailure("the build request has no clone_url");
        }
        CloneGuard.admit(limits.policy(), limits.resolver(), cloneUrl);
    }

    /** {@link #fetch(String, String, String, Path, Deadline, RepositoryCredentials)} without credentials. */
    public SourceTree fetch(String cloneUrl, String commitSha, String branch, Path directory, Deadline build) {
        return fetch(cloneUrl, commitSha, branch, directory, build, null);
    }

    /**
     * Clones {@code cloneUrl} into {@code directory} and opens the tree of {@code commitSha}, or of the head of
     * {@code branch} when no sha is given. A token in {@code credentials} is sent as HTTP basic credentials by JGit's
     * credentials provider, never put into the URL. Every problem is a {@link BuildFailure} with a readable reason.
     */
    public SourceTree fetch(String cloneUrl, String commitSha, String branch, Path directory, Deadline build,
            RepositoryCredentials credentials) {
        if (cloneUrl == null || cloneUrl.isBlank()) {
            throw new BuildFailure("the build request has no clone_url");
        }
        if ((commitSha == null || commitSha.isBlank()) && (branch == null || branch.isBlank())) {
            throw new BuildFailure("the build request names neither a commit_sha nor a branch");
        }
        if (commitSha != null && !commitSha.isBlank() && !SHA.matcher(commitSha).matches()) {
            throw new BuildFailure("commit_sha '" + commitSha + "' is not a 40-digit lower-case hex SHA-1");
        }
        admit(cloneUrl);
        if (credentials != null && credentials.type().equals(RepositoryCredentials.SSH_KEY)) {
            throw new BuildFailure("the procedure's SSH deploy key cannot be used: this build-worker has no SSH client "
                    + "(JGit's org.eclipse.jgit.ssh.apache is not on its classpath); use an https URL with a token");
        }
        Deadline deadline = build.step("clone", limits.cloneTimeout(), "benchline.build.clone-timeout");
        CloneGuard guard = new CloneGuard(deadline, directory, limits.maxRepositoryBytes(), limits.policy(),
                limits.resolver());
        Repository repository = clone(cloneUrl, directory, deadline, guard, credentials);
        try {
            deadline.check();
            RevCommit commit = resolve(repository, commitSha, branch, cloneUrl);
            List<SourceFile> files = new ArrayList<>();
            List<String> skipped = new ArrayList<>();
            readTree(repository, commit, files, skipped, deadline);
            String shownBranch = branch == null || branch.isBlank() ? null : shortBranch(branch);
            Commit meta = new Commit(commit.getName(), commit.getFullMessage().strip(),
                    commit.getAuthorIdent().getName(), shownBranch,
                    Instant.ofEpochSecond(commit.getCommitTime()));
            return new SourceTree(repository, meta, files, skipped);
        } catch (RuntimeException e) {
            repository.close();
            throw e;
        }
    }

    private Repository clone(String cloneUrl, Path directory, Deadline deadline, CloneGuard guard,
            RepositoryCredentials credentials) {
        int timeoutSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, deadline.remaining().toSeconds()));
        var command = Git.cloneRepository()
                .setURI(cloneUrl)
                .setDirectory(directory.toFile())
                .setBare(true)
                .setCloneAllBranches(true)
                .setProgressMonitor(guard)
                .setTimeout(timeoutSeconds);
        if (credentials != null && credentials.token() != null) {
            command.setCredentialsProvider(new UsernamePasswordCredentialsProvider(
                    credentials.username() == null ? "x-access-token" : credentials.username(), credentials.token()));
        }
        try (Git git = guard.around(command::call)) {
            Repository repository = git.getRepository();
            // Git.close() would close it; the tree keeps its own reference open.
            repository.incrementOpen();
            if (guard.reason() != null) {
                repository.close();
                throw new BuildFailure(guard.reason());
            }
            if (CloneGuard.sizeOf(directory) > limits.maxRepositoryBytes()) {
                repository.close();
                throw new BuildFailure("repository exceeds the size limit of " + limits.maxRepositoryBytes()
                        + " bytes (benchline.build.max-repository-size)");
            }
            return repository;
        } catch (Exception e) {
            if (e instanceof BuildFailure failure) {
                throw failure;
            }
            if (guard.reason() != null) {
                throw new BuildFailure(guard.reason(), e);
            }
            throw new BuildFailure("cannot clone " + redact(cloneUrl) + ": "
                    + hide(redact(rootMessage(e)), credentials), e);
        }
    }

    private static RevCommit resolve(Repository repository, String commitSha, String branch, String cloneUrl) {
        try (RevWalk walk = new RevWalk(repository)) {
            if (commitSha != null && !commitSha.isBlank()) {
                try {
                    return walk.parseCommit(ObjectId.fromString(commitSha));
                } catch (MissingObjectException e) {
                    throw new BuildFailure("commit " + commitSha + " is not in " + redact(cloneUrl)
                            + " (not reachable from any branch)");
                } catch (org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
                    throw new BuildFailure(commitSha + " in " + redact(cloneUrl) + " is not a commit");
                }
            }
            String name = shortBranch(branch);
            Ref ref = repository.exactRef(Constants.R_HEADS + name);
            if (ref == null || ref.getObjectId() == null) {
                throw new BuildFailure("branch '" + name + "' does not exist in " + redact(cloneUrl));
            }
            return walk.parseCommit(ref.getObjectId());
        } catch (IOException e) {
            throw new BuildFailure("cannot read the commit from the clone: " + rootMessage(e), e);
        }
    }

    private void readTree(Repository repository, RevCommit commit, List<SourceFile> files, List<String> skipped,
            Deadline deadline) {
        long total = 0;
        try (TreeWalk walk = new TreeWalk(repository)) {
            walk.addTree(commit.getTree());
            walk.setRecursive(true);
            while (walk.next()) {
                String path = walk.getPathString();
                FileMode mode = walk.getFileMode(0);
                if (isGitPath(path)) {
                    skipped.add(path + " (git metadata)");
                    continue;
                }
                if (mode == FileMode.SYMLINK) {
                    skipped.add(path + " (symbolic link)");
                    continue;
                }
                if (mode == FileMode.GITLINK) {
                    skipped.add(path + " (submodule)");
                    continue;
                }
                if (mode != FileMode.REGULAR_FILE && mode != FileMode.EXECUTABLE_FILE) {
                    skipped.add(path + " (not a regular file)");
                    continue;
                }
                ObjectId blob = walk.getObjectId(0);
                long size = repository.getObjectDatabase().open(blob).getSize();
                total += size;
                if (files.size() + 1 > limits.maxFiles()) {
                    throw new BuildFailure("the commit has more than " + limits.maxFiles()
                            + " files (benchline.build.max-files)");
                }
                if (total > limits.maxSourceBytes()) {
                    throw new BuildFailure("the commit's files exceed the source size limit of "
                            + limits.maxSourceBytes() + " bytes (benchline.build.max-source-size)");
                }
                files.add(new SourceFile(path, blob.copy(), size));
                if (files.size() % 256 == 0) {
                    deadline.check();
                }
            }
        } catch (IOException e) {
            throw new BuildFailure("cannot read the commit's files: " + rootMessage(e), e);
        }
        files.sort(Comparator.comparing(SourceFile::path));
    }

    /** True for {@code .git} and anything under a {@code .git} directory at any depth. */
    static boolean isGitPath(String path) {
        for (String segment : path.split("/")) {
            if (segment.equalsIgnoreCase(".git")) {
                return true;
            }
        }
        return false;
    }

    static String shortBranch(String branch) {
        String b = branch.strip();
        return b.startsWith(Constants.R_HEADS) ? b.substring(Constants.R_HEADS.length()) : b;
    }

    /** The URL without a password or token, for logs and failure reasons. */
    public static String redact(String url) {
        return CloneUrlPolicy.redact(url);
    }

    /** A transport's message with the token masked, should a server or JGit ever echo it. */
    private static String hide(String message, RepositoryCredentials credentials) {
        if (message == null || credentials == null || credentials.token() == null || credentials.token().isEmpty()) {
            return message;
        }
        return message.replace(credentials.token(), "***");
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return e == t || e.getMessage() == null ? message : e.getMessage() + " (" + message + ")";
    }
}
