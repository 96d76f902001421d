package io.benchline.cli.source;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static io.benchline.cli.SizeConverter.human;

/**
 * Packs a {@link SourceTree} into a zip: the files {@link IgnoreRules} keeps, sorted by path, named relative to the
 * directory with forward slashes, no directory entries, one fixed date (the same files pack to the same bytes on one
 * machine). Symbolic links are not followed: they are skipped and reported. The sha256 is computed while writing;
 * packing stops as soon as the zip passes the size limit.
 */
public final class Packer {
    /** Not 1980-01-01 00:00: ZipOutputStream marks that date with an extra field. */
    private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(1980, 2, 1, 0, 0);
    private static final int LARGEST = 5;

    /** A file to pack: its entry name and size. */
    public record Entry(String name, Path file, long size) {
    }

    /** The zip written: its size and sha256 (lower-case hex), the number of files and their bytes. */
    public record Packed(Path zip, long size, String sha256, int files, long contentBytes) {
    }

    /** What packing tells as it goes. */
    public interface Listener {
        /** A path left out that a person should know about (a symbolic link). */
        void skipped(String name, String why);

        /** {@code files} of {@code totalFiles}, {@code bytes} of {@code totalBytes} read so far. */
        void packing(int files, int totalFiles, long bytes, long totalBytes);
    }

    /** The directory cannot be packed: too large, or nothing in it. */
    public static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }

    private final SourceTree tree;
    private final long limit;
    private final Listener listener;

    public Packer(SourceTree tree, long limit, Listener listener) {
        this.tree = tree;
        this.limit = limit;
        this.listener = listener;
    }

    /** The files to pack, sorted by entry name; symbolic links reported and left out. */
    public List<Entry> list() throws IOException {
        IgnoreRules rules = tree.ignoreRules();
        Path dir = tree.dir();
        List<Entry> entries = new ArrayList<>();
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    return d.equals(dir) || !rules.ignored(d, true) ? FileVisitResult.CONTINUE
                            : FileVisitResult.SKIP_SUBTREE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (rules.ignored(file, false)) {
                        return FileVisitResult.CONTINUE;
                    }
                    String name = IgnoreRules.slashed(dir.relativize(file));
                    if (attrs.isSymbolicLink()) {
                        listener.skipped(name, "a symbolic link (not followed)");
                    } else if (attrs.isRegularFile()) {
                        entries.add(new Entry(name, file, attrs.size()));
                    } else {
                        listener.skipped(name, "not a regular file");
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (rules.ignored(file, Files.isDirectory(file))) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        entries.sort(Comparator.comparing(Entry::name));
        return entries;
    }

    /** Writes the zip to {@code zip}; {@link Refused} when it would pass the limit or has no file. */
    public Packed pack(Path zip) throws IOException {
        List<Entry> entries = list();
        if (entries.isEmpty()) {
            throw new Refused("nothing to pack in " + tree.dir() + ": it has no file that is not ignored (.gitignore,"
                    + " .git/info/exclude)");
        }
        long totalBytes = entries.stream().mapToLong(Entry::size).sum();
        MessageDigest sha256 = sha256();
        byte[] buffer = new byte[64 * 1024];
        int files = 0;
        long bytes = 0;
        try (OutputStream file = Files.newOutputStream(zip);
             Counting counted = new Counting(new DigestOutputStream(new java.io.BufferedOutputStream(file), sha256));
             ZipOutputStream out = new ZipOutputStream(counted)) {
            for (Entry entry : entries) {
                ZipEntry zipEntry = new ZipEntry(entry.name());
                zipEntry.setTimeLocal(ENTRY_TIME);
                out.putNextEntry(zipEntry);
                try (InputStream in = Files.newInputStream(entry.file())) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        out.write(buffer, 0, n);
                        bytes += n;
                        if (counted.count > limit) {
                            throw tooLarge(counted.count, files, entries);
                        }
                        listener.packing(files, entries.size(), bytes, totalBytes);
                    }
                }
                out.closeEntry();
                files++;
                listener.packing(files, entries.size(), bytes, totalBytes);
            }
            out.finish();
            if (counted.count > limit) {
                throw tooLarge(counted.count, files, entries);
            }
            out.flush();
            return new Packed(zip, counted.count, HexFormat.of().formatHex(sha256.digest()), files, bytes);
        }
    }

    private Refused tooLarge(long size, int files, List<Entry> entries) {
        List<Entry> largest = entries.stream().sorted(Comparator.comparingLong(Entry::size).reversed())
                .limit(LARGEST).toList();
        int width = largest.stream().mapToInt(e -> e.name().length()).max().orElse(0);
        return new Refused(tree.dir() + " packs to more than the limit of " + human(limit) + " (--max-size): "
                + human(size) + " after " + files + " of " + entries.size() + " files ("
                + human(entries.stream().mapToLong(Entry::size).sum()) + " to pack in all). The largest files:\n"
                + largest.stream().map(e -> "  " + e.name() + " ".repeat(width - e.name().length() + 2)
                        + human(e.size())).collect(Collectors.joining("\n"))
                + "\nLeave out what the procedure does not need (.gitignore, .git/info/exclude) or raise --max-size.");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Counts the bytes that reach the file. */
    private static final class Counting extends FilterOutputStream {
        long count;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
