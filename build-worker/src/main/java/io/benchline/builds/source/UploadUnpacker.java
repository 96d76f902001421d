package io.benchline.builds.source;

import io.benchline.builds.app.BuildFailure;
import io.benchline.builds.app.Deadline;
import io.benchline.events.Commit;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Turns an upload's zip into a {@link SourceTree}: every file becomes one blob of a fresh bare repository, so what
 * follows (validation, packing) reads an upload exactly as it reads a commit. Refused, naming the entry: absolute
 * paths, {@code ..} segments, backslashes, NUL, {@code .git}, two entries that would be one file on a station
 * (equal after dropping {@code .} and empty segments, Unicode NFC and case folding), a path that is both a file and
 * a directory, more than max-files files, more than max-source-size inflated bytes (counted as they inflate, not
 * taken from the headers), and a zip that cannot be read. Directories are skipped; symbolic links (Unix mode in the
 * central directory) are skipped and listed, as a clone skips them.
 */
final class UploadUnpacker {
    /** Entries up to this size are held in memory before their blob is written; larger ones are spooled to disk. */
    private static final int IN_MEMORY = 1024 * 1024;

    private final long maxSourceBytes;
    private final int maxFiles;
    private final Deadline deadline;
    private final byte[] buffer = new byte[64 * 1024];
    private long inflated;

    private UploadUnpacker(long maxSourceBytes, int maxFiles, Deadline deadline) {
        this.maxSourceBytes = maxSourceBytes;
        this.maxFiles = maxFiles;
        this.deadline = deadline;
    }

    /** Unpacks {@code zip} into a new bare repository at {@code gitDir}; every problem is a {@link BuildFailure}. */
    static SourceTree unpack(Path zip, Path gitDir, Commit commit, long maxSourceBytes, int maxFiles,
            Deadline deadline) {
        return new UploadUnpacker(maxSourceBytes, maxFiles, deadline).run(zip, gitDir, commit);
    }

    private SourceTree run(Path zip, Path gitDir, Commit commit) {
        CentralDirectory directory = centralDirectory(zip);
        Repository repository;
        try {
            repository = new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setBare().build();
            repository.create(true);
        } catch (IOException e) {
            throw new BuildFailure("cannot create a repository for the upload: " + GitSource.rootMessage(e), e);
        }
        try {
            List<SourceFile> files = new ArrayList<>();
            List<String> skipped = new ArrayList<>();
            read(zip, gitDir.resolveSibling(gitDir.getFileName() + ".spool"), repository, directory, files, skipped);
            if (files.isEmpty()) {
                throw new BuildFailure("the upload holds no files");
            }
            files.sort(Comparator.comparing(SourceFile::path));
            return new SourceTree(repository, commit, files, skipped);
        } catch (RuntimeException e) {
            repository.close();
            throw e;
        }
    }

    /** A file entry that passed the checks on names, with its path and the key that compares paths. */
    private record Planned(ZipEntry entry, String path, String key) {
    }

    private void read(Path zip, Path spool, Repository repository, CentralDirectory directory, List<SourceFile> files,
            List<String> skipped) {
        String current = null;
        try (ZipFile archive = new ZipFile(zip.toFile(), StandardCharsets.UTF_8);
             ObjectInserter inserter = repository.newObjectInserter()) {
            if (archive.size() != directory.entries()) {
                throw new ZipException("the central directory lists " + directory.entries() + " entries, "
                        + archive.size() + " were read");
            }
            // Every name is checked before anything is inflated: a bad entry fails the build at once.
            List<Planned> planned = new ArrayList<>();
            Map<String, String> claimed = new HashMap<>();
            Enumeration<? extends ZipEntry> entries = archive.entries();
            // java.util.zip lists the entries in central directory order, as the scan for modes read them.
            for (int index = 0; entries.hasMoreElements(); index++) {
                ZipEntry entry = entries.nextElement();
                current = entry.getName();
                String path = normalise(current);
                if (entry.isDirectory()) {
                    continue;
                }
                if (directory.symbolicLinks().get(index)) {
                    skipped.add(path + " (symbolic link)");
                    continue;
                }
                if (GitSource.isGitPath(path)) {
                    throw new BuildFailure("the upload contains " + shown(current)
                            + ": git metadata (.git) must not be uploaded");
                }
                String key = Normalizer.normalize(path, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
                String earlier = claimed.putIfAbsent(key, current);
                if (earlier != null) {
                    throw new BuildFailure(earlier.equals(current)
                            ? "the upload contains " + shown(current) + " twice"
                            : "the upload's entries " + shown(earlier) + " and " + shown(current) + " are the same"
                            + " file on a station (paths are compared without . segments, in Unicode NFC and"
                            + " ignoring case, as Windows and macOS do)");
                }
                if (planned.size() + 1 > maxFiles) {
                    throw new BuildFailure("the upload has more than " + maxFiles
                            + " files (benchline.build.max-files)");
                }
                planned.add(new Planned(entry, path, key));
            }
            current = null;
            refuseFilesUsedAsDirectories(planned);
            for (Planned file : planned) {
                current = file.entry().getName();
                files.add(blob(archive, file.entry(), file.path(), inserter, spool));
                deadline.check();
            }
            inserter.flush();
        } catch (ZipException | IllegalArgumentException e) {
            // java.util.zip reports a name that is not UTF-8 as IllegalArgumentException.
            throw corrupt(current, e);
        } catch (IOException e) {
            throw new BuildFailure("cannot unpack the upload: " + GitSource.rootMessage(e), e);
        } finally {
            try {
                Files.deleteIfExists(spool);
            } catch (IOException ignored) {
                // inside the build's work directory, which is deleted with the build
            }
        }
    }

    /**
     * Refuses a path that is a file and also a directory of another entry ({@code lib} and {@code lib/x.py}). Sorted
     * with '/' before every other character, the files below {@code lib} come right after it, so comparing
     * neighbours finds every case in one sort.
     */
    private static void refuseFilesUsedAsDirectories(List<Planned> planned) {
        List<Planned> sorted = new ArrayList<>(planned);
        sorted.sort((a, b) -> treeOrder(a.key(), b.key()));
        for (int i = 0; i + 1 < sorted.size(); i++) {
            Planned file = sorted.get(i);
            Planned next = sorted.get(i + 1);
            if (next.key().length() > file.key().length() && next.key().startsWith(file.key())
                    && next.key().charAt(file.key().length()) == '/') {
                throw new BuildFailure("the upload's entry " + shown(file.entry().getName()) + " is a file, but "
                        + shown(next.entry().getName()) + " needs a directory of that name");
            }
        }
    }

    private static int treeOrder(String a, String b) {
        int common = Math.min(a.length(), b.length());
        for (int i = 0; i < common; i++) {
            char x = a.charAt(i) == '/' ? '\0' : a.charAt(i);
            char y = b.charAt(i) == '/' ? '\0' : b.charAt(i);
            if (x != y) {
                return Character.compare(x, y);
            }
        }
        return Integer.compare(a.length(), b.length());
    }

    /** Inflates one entry into a blob, counting the bytes it really inflates to against the source size limit. */
    private SourceFile blob(ZipFile archive, ZipEntry entry, String path, ObjectInserter inserter, Path spool)
            throws IOException {
        CRC32 crc = new CRC32();
        long size = 0;
        ByteArrayOutputStream memory = new ByteArrayOutputStream();
        OutputStream out = memory;
        boolean spooled = false;
        try (InputStream in = archive.getInputStream(entry)) {
            for (int n; (n = inflate(in, entry)) != -1; ) {
                size += n;
                inflated += n;
                if (inflated > maxSourceBytes) {
                    throw new BuildFailure("the upload unpacks to more than " + maxSourceBytes
                            + " bytes (benchline.build.max-source-size), reached in " + shown(entry.getName()));
                }
                crc.update(buffer, 0, n);
                if (!spooled && size > IN_MEMORY) {
                    out = Files.newOutputStream(spool, StandardOpenOption.CREATE,
                            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
                    memory.writeTo(out);
                    memory = null;
                    spooled = true;
                }
                out.write(buffer, 0, n);
                deadline.check();
            }
        } finally {
            if (spooled) {
                out.close();
            }
        }
        if (entry.getSize() >= 0 && entry.getSize() != size) {
            throw new BuildFailure("the upload is not a readable zip archive: " + shown(entry.getName())
                    + " inflates to " + size + " bytes, its header says " + entry.getSize());
        }
        if (entry.getCrc() >= 0 && entry.getCrc() != crc.getValue()) {
            throw new BuildFailure("the upload is not a readable zip archive: " + shown(entry.getName())
                    + " is damaged (CRC mismatch)");
        }
        ObjectId id;
        if (spooled) {
            try (InputStream data = Files.newInputStream(spool)) {
                id = inserter.insert(Constants.OBJ_BLOB, size, data);
            }
        } else {
            id = inserter.insert(Constants.OBJ_BLOB, memory.toByteArray());
        }
        return new SourceFile(path, id.copy(), size);
    }

    /** The next bytes of an entry; a truncated or garbled entry surfaces as EOF or an inflater error. */
    private int inflate(InputStream in, ZipEntry entry) {
        try {
            return in.read(buffer);
        } catch (IOException e) {
            throw corrupt(entry.getName(), e);
        }
    }

    /**
     * The entry's path with {@code .} and empty segments dropped; refuses what could land outside the procedure's
     * folder or mean different files on different systems.
     */
    static String normalise(String name) {
        if (name.indexOf('\0') >= 0) {
            throw refused(name, "contains a NUL character");
        }
        if (name.indexOf('\\') >= 0) {
            throw refused(name, "contains a backslash (zip paths separate with /)");
        }
        if (name.startsWith("/") || name.matches("^[A-Za-z]:.*")) {
            throw refused(name, "is an absolute path");
        }
        List<String> segments = new ArrayList<>();
        for (String segment : name.split("/")) {
            if (segment.equals("..")) {
                throw refused(name, "has a .. segment");
            }
            if (!segment.isEmpty() && !segment.equals(".")) {
                segments.add(segment);
            }
        }
        if (segments.isEmpty() && !name.endsWith("/")) {
            throw refused(name, "names no file");
        }
        return String.join("/", segments);
    }

    private static BuildFailure refused(String name, String why) {
        return new BuildFailure("the upload's entry " + shown(name) + " " + why);
    }

    private static BuildFailure corrupt(String entry, Exception e) {
        return new BuildFailure("the upload is not a readable zip archive"
                + (entry == null ? "" : " (at " + shown(entry) + ")") + ": " + GitSource.rootMessage(e), e);
    }

    /** The entry name quoted, with control characters made visible. */
    static String shown(String name) {
        StringBuilder out = new StringBuilder("'");
        int shownChars = 0;
        for (char c : name.toCharArray()) {
            if (++shownChars > 200) {
                out.append('…');
                break;
            }
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('\'').toString();
    }

    // The central directory, read for the one thing java.util.zip does not expose: Unix file modes.

    private static final int CENTRAL_HEADER = 0x02014b50;
    private static final int END_OF_CENTRAL_DIRECTORY = 0x06054b50;
    private static final int ZIP64_END_LOCATOR = 0x07064b50;
    private static final int ZIP64_END = 0x06064b50;
    private static final int HOST_UNIX = 3;
    private static final int S_IFMT = 0170000;
    private static final int S_IFLNK = 0120000;

    /** The number of entries and, by position, those made on Unix with a symbolic link's mode. */
    record CentralDirectory(int entries, BitSet symbolicLinks) {
    }

    static CentralDirectory centralDirectory(Path zip) {
        try (FileChannel channel = FileChannel.open(zip, StandardOpenOption.READ)) {
            long size = channel.size();
            int tail = (int) Math.min(size, 22 + 0xFFFF);
            ByteBuffer end = read(channel, size - tail, tail);
            int eocd = -1;
            for (int i = tail - 22; i >= 0; i--) {
                if (end.getInt(i) == END_OF_CENTRAL_DIRECTORY) {
                    eocd = i;
                    break;
                }
            }
            if (eocd < 0) {
                throw new ZipException("no end of central directory record (not a zip file, or truncated)");
            }
            long directorySize = Integer.toUnsignedLong(end.getInt(eocd + 12));
            // The directory ends where the end record (or its ZIP64 form) starts, even if bytes were prepended.
            long directoryEnd = size - tail + eocd;
            if (eocd >= 20 && end.getInt(eocd - 20) == ZIP64_END_LOCATOR) {
                long record = end.getLong(eocd - 20 + 8);
                ByteBuffer zip64 = read(channel, record, 56);
                if (zip64.getInt(0) != ZIP64_END) {
                    throw new ZipException("bad ZIP64 end of central directory record");
                }
                directorySize = zip64.getLong(40);
                directoryEnd = record;
            }
            if (directorySize < 0 || directorySize > directoryEnd || directorySize > Integer.MAX_VALUE) {
                throw new ZipException("bad central directory size");
            }
            ByteBuffer directory = read(channel, directoryEnd - directorySize, (int) directorySize);
            BitSet links = new BitSet();
            int at = 0;
            int index = 0;
            for (; at + 46 <= directory.limit() && directory.getInt(at) == CENTRAL_HEADER; index++) {
                int madeBy = Short.toUnsignedInt(directory.getShort(at + 4)) >> 8;
                int nameLength = Short.toUnsignedInt(directory.getShort(at + 28));
                int extraLength = Short.toUnsignedInt(directory.getShort(at + 30));
                int commentLength = Short.toUnsignedInt(directory.getShort(at + 32));
                long attributes = Integer.toUnsignedLong(directory.getInt(at + 38));
                if (at + 46 + nameLength > directory.limit()) {
                    throw new ZipException("truncated central directory");
                }
                if (madeBy == HOST_UNIX && ((attributes >>> 16) & S_IFMT) == S_IFLNK) {
                    links.set(index);
                }
                at += 46 + nameLength + extraLength + commentLength;
            }
            return new CentralDirectory(index, links);
        } catch (IOException e) {
            throw corrupt(null, e);
        }
    }

    private static ByteBuffer read(FileChannel channel, long position, int length) throws IOException {
        if (position < 0 || position + length > channel.size()) {
            throw new ZipException("central directory outside the file");
        }
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new ZipException("truncated");
            }
        }
        return buffer.flip();
    }
}
