package io.benchline.cli.agent;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Unpacks a verified archive into {@code <procedureDir>/<deploymentId>/}: first into a hidden temporary
 * directory next to it, then one atomic rename, so the deployment folder either is complete or does not exist.
 * Entries that would land outside the folder (zip slip: absolute paths, {@code ..}, drive letters,
 * backslashes) refuse the whole archive.
 */
public final class Unpacker {
    public static final String TEMP_PREFIX = ".tmp-";
    private static final long MAX_TOTAL_BYTES = 4L * 1024 * 1024 * 1024;
    private static final int MAX_ENTRIES = 200_000;

    /** An archive entry that is not a safe relative path. */
    public static final class UnsafeEntryException extends IOException {
        public UnsafeEntryException(String message) {
            super(message);
        }
    }

    /** Answers the deployment folder; an already unpacked deployment is left as it is. */
    public Path unpack(Path zip, Path procedureDir, String deploymentId) throws IOException {
        Files.createDirectories(procedureDir);
        Path target = procedureDir.resolve(deploymentId);
        if (Files.isDirectory(target)) {
            return target;
        }
        Path temp = procedureDir.resolve(TEMP_PREFIX + deploymentId + "-" + UUID.randomUUID());
        Files.createDirectory(temp);
        try {
            extract(zip, temp);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                deleteRecursively(temp);
            }
            return target;
        } catch (IOException | RuntimeException e) {
            deleteRecursively(temp);
            throw e;
        }
    }

    private static void extract(Path zip, Path root) throws IOException {
        Path normalizedRoot = root.toAbsolutePath().normalize();
        long total = 0;
        int entries = 0;
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            ZipEntry entry;
            byte[] buffer = new byte[64 * 1024];
            while ((entry = in.getNextEntry()) != null) {
                if (++entries > MAX_ENTRIES) {
                    throw new IOException("archive has more than " + MAX_ENTRIES + " entries");
                }
                Path path = safeResolve(normalizedRoot, entry.getName());
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                    continue;
                }
                Files.createDirectories(path.getParent());
                try (OutputStream out = Files.newOutputStream(path)) {
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        total += n;
                        if (total > MAX_TOTAL_BYTES) {
                            throw new IOException("archive unpacks to more than " + MAX_TOTAL_BYTES + " bytes");
                        }
                        out.write(buffer, 0, n);
                    }
                }
            }
        }
        if (entries == 0) {
            throw new IOException("archive is empty or not a zip file");
        }
    }

    /** The path an entry name denotes inside {@code root}, or an exception when it would leave it. */
    static Path safeResolve(Path root, String name) throws UnsafeEntryException {
        if (name == null || name.isEmpty() || name.indexOf('\0') >= 0) {
            throw new UnsafeEntryException("archive entry with an empty or invalid name");
        }
        if (name.startsWith("/") || name.indexOf('\\') >= 0 || name.matches("^[A-Za-z]:.*")) {
            throw new UnsafeEntryException("archive entry " + name + " is not a relative path");
        }
        for (String segment : name.split("/")) {
            if (segment.equals("..")) {
                throw new UnsafeEntryException("archive entry " + name + " leaves the deployment folder");
            }
        }
        Path resolved = root.resolve(name).normalize();
        if (!resolved.startsWith(root) || resolved.equals(root)) {
            throw new UnsafeEntryException("archive entry " + name + " leaves the deployment folder");
        }
        return resolved;
    }

    /** Deletes a file tree; missing is fine. */
    public static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
