package io.benchline.cli.source;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Watches a {@link SourceTree} for changes to what would be packed: every directory that is not ignored, new ones as
 * they appear; changes to ignored paths and {@code .git} do not count, a changed {@code .gitignore} does (and is
 * applied from then on). Changes are debounced: one call answers once the tree has been quiet for a while.
 */
public final class SourceWatcher implements Closeable {
    private final SourceTree tree;
    private final WatchService service;
    private final Map<WatchKey, Path> directories = new ConcurrentHashMap<>();
    private IgnoreRules rules;

    public SourceWatcher(SourceTree tree) throws IOException {
        this.tree = tree;
        this.service = FileSystems.getDefault().newWatchService();
        this.rules = tree.ignoreRules();
        register(tree.dir());
    }

    /**
     * Waits up to {@code wait} for a change; after one, until {@code quiet} passes without another (at most ten
     * times {@code quiet}, so that a tree that never settles still gets deployed). Answers whether anything changed;
     * returns early when {@code stopped}.
     */
    public boolean awaitChange(Duration wait, Duration quiet, BooleanSupplier stopped) throws IOException,
            InterruptedException {
        long end = now() + wait.toMillis();
        long firstChange = -1;
        while (!stopped.getAsBoolean()) {
            long timeout = firstChange >= 0 ? quiet.toMillis() : end - now();
            if (timeout <= 0) {
                return false;
            }
            WatchKey key = service.poll(timeout, TimeUnit.MILLISECONDS);
            if (key == null) {
                return firstChange >= 0;
            }
            if (handle(key) && firstChange < 0) {
                firstChange = now();
            }
            if (firstChange >= 0 && now() - firstChange > 10 * quiet.toMillis()) {
                return true;
            }
        }
        return false;
    }

    /** Whether the key's events change what is packed; registers new directories. */
    private boolean handle(WatchKey key) throws IOException {
        Path directory = directories.get(key);
        boolean changed = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW || directory == null) {
                changed = true;
                continue;
            }
            Path path = directory.resolve((Path) event.context());
            if (path.getFileName().toString().equals(".gitignore")) {
                rules = tree.ignoreRules();
            }
            boolean isDirectory = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
            if (rules.ignored(path, isDirectory)) {
                continue;
            }
            changed = true;
            if (isDirectory && event.kind() == StandardWatchEventKinds.ENTRY_CREATE) {
                register(path);
            }
        }
        if (!key.reset()) {
            directories.remove(key);
        }
        return changed;
    }

    private void register(Path start) throws IOException {
        try {
            Files.walkFileTree(start, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                    if (!d.equals(tree.dir()) && rules.ignored(d, true)) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    directories.put(d.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                            StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY), d);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // gone again, or unreadable: packing will say so
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static long now() {
        return System.nanoTime() / 1_000_000;
    }

    @Override
    public void close() throws IOException {
        service.close();
    }
}
