package io.benchline.cli.source;

import org.eclipse.jgit.ignore.IgnoreNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What packing leaves out, with git's rules (JGit's {@link IgnoreNode}): any {@code .git} (directory, or the file of
 * a submodule or worktree); then each {@code .gitignore} from the path's own directory up to the work tree's root
 * (the nearer one decides, the last matching line of a file wins, {@code !} re-includes, a trailing {@code /} matches
 * only directories); then {@code .git/info/exclude}. Everything in an ignored directory is ignored, as in git.
 */
public final class IgnoreRules {
    private static final IgnoreNode NONE = new IgnoreNode();

    private final Path dir;
    private final Path top;
    private final IgnoreNode exclude;
    private final Map<Path, IgnoreNode> nodes = new ConcurrentHashMap<>();

    /** {@code dir}: the packed directory; {@code top}: where .gitignore files start to count; {@code exclude}: or null. */
    IgnoreRules(Path dir, Path top, Path exclude) {
        this.dir = dir;
        this.top = top;
        this.exclude = exclude == null ? NONE : read(exclude);
    }

    /** Whether {@code path}, below the packed directory, is left out. */
    public boolean ignored(Path path, boolean directory) {
        Path relative = dir.relativize(path);
        if (relative.toString().isEmpty()) {
            return false;
        }
        for (Path name : relative) {
            if (name.toString().equals(".git")) {
                return true;
            }
        }
        Path ancestor = dir;
        for (int i = 0; i < relative.getNameCount() - 1; i++) {
            ancestor = ancestor.resolve(relative.getName(i));
            if (matches(ancestor, true)) {
                return true;
            }
        }
        return matches(path, directory);
    }

    private boolean matches(Path path, boolean directory) {
        for (Path d = path.getParent(); d != null && d.startsWith(top); d = d.getParent()) {
            Boolean ignored = node(d).checkIgnored(slashed(d.relativize(path)), directory);
            if (ignored != null) {
                return ignored;
            }
        }
        Boolean excluded = exclude.checkIgnored(slashed(top.relativize(path)), directory);
        return excluded != null && excluded;
    }

    private IgnoreNode node(Path directory) {
        return nodes.computeIfAbsent(directory, d -> read(d.resolve(".gitignore")));
    }

    private static IgnoreNode read(Path file) {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return NONE;
        }
        IgnoreNode node = new IgnoreNode();
        try (InputStream in = Files.newInputStream(file)) {
            node.parse(file.toString(), in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return node;
    }

    /** A relative path with forward slashes, as git and zip entries spell it. */
    static String slashed(Path relative) {
        return relative.toString().replace(relative.getFileSystem().getSeparator(), "/");
    }
}
