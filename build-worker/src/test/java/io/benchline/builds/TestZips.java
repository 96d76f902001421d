package io.benchline.builds;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Zips as a CLI might upload them, and as an attacker might craft them: a raw writer (java.util.zip refuses duplicate
 * names and cannot set Unix modes or lie about sizes) with stored or deflated entries.
 */
public final class TestZips {
    private TestZips() {
    }

    /**
     * One entry. {@code unixMode} non-null marks it as made on Unix with that mode (0120777 for a symbolic link);
     * {@code claimedSize} non-null is written as its uncompressed size instead of the real one.
     */
    public record Entry(String name, byte[] data, boolean deflate, Integer unixMode, Long claimedSize) {
        public Entry stored() {
            return new Entry(name, data, false, unixMode, claimedSize);
        }

        public Entry mode(int mode) {
            return new Entry(name, data, deflate, mode, claimedSize);
        }

        public Entry claiming(long size) {
            return new Entry(name, data, deflate, unixMode, size);
        }
    }

    /** A deflated file. */
    public static Entry file(String name, String text) {
        return file(name, text.getBytes(StandardCharsets.UTF_8));
    }

    public static Entry file(String name, byte[] data) {
        return new Entry(name, data, true, null, null);
    }

    public static Entry directory(String name) {
        return new Entry(name.endsWith("/") ? name : name + "/", new byte[0], false, null, null);
    }

    /** The files, deflated, in the map's order. */
    public static byte[] zip(Map<String, String> files) {
        return zip(files.entrySet().stream().map(e -> file(e.getKey(), e.getValue())).toList());
    }

    public static byte[] zip(Entry... entries) {
        return zip(List.of(entries));
    }

    public static byte[] zip(List<Entry> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream central = new ByteArrayOutputStream();
        for (Entry e : entries) {
            byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
            CRC32 crc = new CRC32();
            crc.update(e.data());
            byte[] body = e.deflate() ? deflate(e.data()) : e.data();
            long size = e.claimedSize() == null ? e.data().length : e.claimedSize();
            int offset = out.size();
            ByteBuffer local = le(30 + name.length).putInt(0x04034b50).putShort((short) 20).putShort((short) 0x0800)
                    .putShort((short) (e.deflate() ? 8 : 0)).putShort((short) 0).putShort((short) 0x21)
                    .putInt((int) crc.getValue()).putInt(body.length).putInt((int) size)
                    .putShort((short) name.length).putShort((short) 0).put(name);
            out.writeBytes(local.array());
            out.writeBytes(body);
            ByteBuffer header = le(46 + name.length).putInt(0x02014b50)
                    .putShort((short) (e.unixMode() == null ? 20 : 0x0314)).putShort((short) 20)
                    .putShort((short) 0x0800).putShort((short) (e.deflate() ? 8 : 0)).putShort((short) 0)
                    .putShort((short) 0x21).putInt((int) crc.getValue()).putInt(body.length).putInt((int) size)
                    .putShort((short) name.length).putShort((short) 0).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putInt(e.unixMode() == null ? 0 : e.unixMode() << 16).putInt(offset)
                    .put(name);
            central.writeBytes(header.array());
        }
        int centralStart = out.size();
        out.writeBytes(central.toByteArray());
        ByteBuffer end = le(22).putInt(0x06054b50).putShort((short) 0).putShort((short) 0)
                .putShort((short) entries.size()).putShort((short) entries.size()).putInt(central.size())
                .putInt(centralStart).putShort((short) 0);
        out.writeBytes(end.array());
        return out.toByteArray();
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] deflate(byte[] data) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        deflater.setInput(data);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        return out.toByteArray();
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Entries from name/text pairs, for tests that need a list. */
    public static List<Entry> files(Map<String, String> files) {
        List<Entry> entries = new ArrayList<>();
        files.forEach((name, text) -> entries.add(file(name, text)));
        return entries;
    }
}
