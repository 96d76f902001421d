package io.benchline.builds.source;

import io.benchline.events.Commit;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Repository;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The files of exactly one commit, read from the git object database (no working tree, so no line-ending or
 * file-system effects can change what gets packed). Close it to release the repository.
 */
public final class SourceTree implements AutoCloseable {
    private final Repository repository;
    private final Commit commit;
    private final List<SourceFile> files;
    private final List<String> skipped;
    private final Map<String, SourceFile> byPath;

    SourceTree(Repository repository, Commit commit, List<SourceFile> files, List<String> skipped) {
        this.repository = repository;
        this.commit = commit;
        this.files = List.copyOf(files);
        this.skipped = List.copyOf(skipped);
        this.byPath = files.stream().collect(Collectors.toUnmodifiableMap(SourceFile::path, Function.identity()));
    }

    public Commit commit() {
        return commit;
    }

    /** Regular files, sorted by path. */
    public List<SourceFile> files() {
        return files;
    }

    /** Paths left out (symbolic links, submodules), with the reason. */
    public List<String> skipped() {
        return skipped;
    }

    public Optional<SourceFile> file(String path) {
        return Optional.ofNullable(byPath.get(path));
    }

    public InputStream open(SourceFile file) throws IOException {
        ObjectLoader loader = repository.open(file.blob());
        return loader.openStream();
    }

    public byte[] read(SourceFile file, int maxBytes) throws IOException {
        return repository.open(file.blob()).getCachedBytes(maxBytes);
    }

    @Override
    public void close() {
        repository.close();
    }
}
