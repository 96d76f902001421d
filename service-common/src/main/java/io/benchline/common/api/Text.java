package io.benchline.common.api;

/**
 * What text from a request may hold: no control characters (C0, DEL, C1; NUL among them, which PostgreSQL cannot
 * store) and no unpaired surrogate (not Unicode, stored as {@code ?}). Multi-line text ({@link MultiLine}) may also
 * hold line breaks (LF, CR) and tabs. Every JSON string of a request body is checked by {@link StrictJson}, every path and
 * query parameter by {@link RequestText}.
 */
public final class Text {
    private Text() {
    }

    /** Why {@code text} is refused, or null when it is fine. */
    public static String problem(String text, boolean multiLine) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "must be valid Unicode: unpaired surrogate " + escaped(c);
            } else if (c == 0) {
                return "must not contain NUL characters (\\u0000)";
            } else if (Character.isISOControl(c) && !(multiLine && (c == '\n' || c == '\r' || c == '\t'))) {
                return "must not contain control characters (" + escaped(c) + ")"
                        + (multiLine ? "; line breaks and tabs are allowed" : "");
            }
        }
        return null;
    }

    private static String escaped(char c) {
        return String.format("\\u%04x", (int) c);
    }
}
