package io.benchline.builds.archive;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * A minimal zip writer whose output depends only on the entries' names and bytes. {@link java.util.zip.ZipOutputStream}
 * cannot be used: for a time of exactly 1980-01-01T00:00:00 it adds an extended-timestamp extra field (the DOS epoch
 * is its "before 1980" marker). Every entry here is stored (not deflated: deflate's output depends on the zlib the JDK
 * was built with, so one commit would pack to different bytes on two workers), dated 1980-01-01 00:00:00 (DOS date 0x0021, time 0),
 * flagged UTF-8, with no extra field, no comment, no data descriptor (sizes and CRC are patched into the local header)
 * and zeroed file attributes. No ZIP64: more than 65535 entries or 4 GiB is refused.
 */
final class DeterministicZip implements Closeable {
    private static final int LOCAL_HEADER = 0x04034b50;
    private static final int CENTRAL_HEADER = 0x02014b50;
    private static final int END_OF_CENTRAL_DIRECTORY = 0x06054b50;
    private static final short VERSION = 20;
    private static final short FLAG_UTF8 = 0x0800;
    private static final short METHOD_STORED = 0;
    private static final short DOS_TIME = 0;
    private static final short DOS_DATE = (short) 0x0021; // 1980-01-01
    private static final long MAX_32 = 0xFFFFFFFFL;
    private static final int MAX_ENTRIES = 0xFFFF;

    private record Written(byte[] name, long crc, long compressedSize, long size, long offset) {
    }

    private final FileChannel out;
    private final List<Written> entries = new ArrayList<>();
    private final byte[] input = new byte[64 * 1024];
    private final byte[] output = new byte[64 * 1024];
    private long position;
    private boolean finished;

    DeterministicZip(Path target) throws IOException {
        this.out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
    }

    /** Appends one entry with the bytes of {@code data}. */
    void add(String name, InputStream data) throws IOException {
        if (entries.size() >= MAX_ENTRIES) {
            throw new ZipLimitException("more than " + MAX_ENTRIES + " entries");
        }
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length > 0xFFFF) {
            throw new ZipLimitException("a path longer than 65535 bytes: " + name.substring(0, 80) + "…");
        }
        long offset = position;
        write(localHeader(nameBytes, 0, 0, 0));
        CRC32 crc = new CRC32();
        long size = 0;
        int n;
        while ((n = data.read(input)) > 0) {
            crc.update(input, 0, n);
            write(ByteBuffer.wrap(input, 0, n));
            size += n;
        }
        if (size > MAX_32 || position > MAX_32) {
            throw new ZipLimitException("an entry or the archive exceeds 4 GiB: " + name);
        }
        ByteBuffer sizes = le(12).putInt((int) crc.getValue()).putInt((int) size).putInt((int) size).flip();
        long patchAt = offset + 14;
        while (sizes.hasRemaining()) {
            patchAt += out.write(sizes, patchAt);
        }
        entries.add(new Written(nameBytes, crc.getValue(), size, size, offset));
    }

    /** Writes the central directory and the end record. */
    void finish() throws IOException {
        if (finished) {
            return;
        }
        finished = true;
        long centralStart = position;
        for (Written e : entries) {
            ByteBuffer h = le(46 + e.name().length)
                    .putInt(CENTRAL_HEADER)
                    .putShort(VERSION) // made by: MS-DOS, 2.0 (no Unix attributes)
                    .putShort(VERSION)
                    .putShort(FLAG_UTF8)
                    .putShort(METHOD_STORED)
                    .putShort(DOS_TIME)
                    .putShort(DOS_DATE)
                    .putInt((int) e.crc())
                    .putInt((int) e.compressedSize())
                    .putInt((int) e.size())
                    .putShort((short) e.name().length)
                    .putShort((short) 0) // extra
                    .putShort((short) 0) // comment
                    .putShort((short) 0) // disk
                    .putShort((short) 0) // internal attributes
                    .putInt(0) // external attributes
                    .putInt((int) e.offset())
                    .put(e.name());
            write(h.flip());
        }
        long centralSize = position - centralStart;
        if (position > MAX_32) {
            throw new ZipLimitException("the archive exceeds 4 GiB");
        }
        ByteBuffer end = le(22)
                .putInt(END_OF_CENTRAL_DIRECTORY)
                .putShort((short) 0)
                .putShort((short) 0)
                .putShort((short) entries.size())
                .putShort((short) entries.size())
                .putInt((int) centralSize)
                .putInt((int) centralStart)
                .putShort((short) 0); // comment
        write(end.flip());
    }

    private ByteBuffer localHeader(byte[] name, long crc, long compressed, long size) {
        return le(30 + name.length)
                .putInt(LOCAL_HEADER)
                .putShort(VERSION)
                .putShort(FLAG_UTF8)
                .putShort(METHOD_STORED)
                .putShort(DOS_TIME)
                .putShort(DOS_DATE)
                .putInt((int) crc)
                .putInt((int) compressed)
                .putInt((int) size)
                .putShort((short) name.length)
                .putShort((short) 0) // extra
                .put(name)
                .flip();
    }

    private void write(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            position += out.write(buffer, position);
        }
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /** The archive would need ZIP64. */
    static final class ZipLimitException extends IOException {
        ZipLimitException(String message) {
            super(message);
        }
    }
}
