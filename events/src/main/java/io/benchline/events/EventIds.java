package io.benchline.events;

import java.security.SecureRandom;

/**
 * Time-ordered identifiers: a prefix, then 48 bits of milliseconds and 80 random bits in
 * Crockford base32 (the ULID layout), so ids sort by creation time and lists can page by key.
 */
public final class EventIds {
    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private EventIds() {
    }

    /** An event id: {@code evt_} plus a ULID. */
    public static String next() {
        return withPrefix("evt");
    }

    /** {@code prefix_} plus a 26-character lower-case ULID. */
    public static String withPrefix(String prefix) {
        return prefix + "_" + ulid(System.currentTimeMillis());
    }

    static String ulid(long millis) {
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        char[] out = new char[26];
        long time = millis;
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET[(int) (time & 31)];
            time >>>= 5;
        }
        // 80 random bits → 16 characters of 5 bits.
        long hi = 0;
        for (int i = 0; i < 5; i++) {
            hi = (hi << 8) | (random[i] & 0xff);
        }
        long lo = 0;
        for (int i = 5; i < 10; i++) {
            lo = (lo << 8) | (random[i] & 0xff);
        }
        for (int i = 17; i >= 10; i--) {
            out[i] = ALPHABET[(int) (hi & 31)];
            hi >>>= 5;
        }
        for (int i = 25; i >= 18; i--) {
            out[i] = ALPHABET[(int) (lo & 31)];
            lo >>>= 5;
        }
        return new String(out);
    }
}
