package io.benchline.cli.agent;

import java.security.SecureRandom;

/** Run ids as the dispatcher expects them: {@code run_} + a 26-character lower-case ULID (time-ordered). */
public final class RunIds {
    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private RunIds() {
    }

    public static String next() {
        return "run_" + ulid(System.currentTimeMillis());
    }

    static String ulid(long millis) {
        char[] out = new char[26];
        long time = millis;
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET[(int) (time & 31)];
            time >>>= 5;
        }
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        // 80 random bits as 16 characters of 5 bits.
        int bit = 0;
        for (int i = 10; i < 26; i++) {
            int value = 0;
            for (int b = 0; b < 5; b++, bit++) {
                value = (value << 1) | ((random[bit / 8] >> (7 - bit % 8)) & 1);
            }
            out[i] = ALPHABET[value];
        }
        return new String(out);
    }
}
