package io.benchline.stations.app;

import io.benchline.common.api.ProblemException;

/** The optional note a caller gives with a pin, promote or rollback: kept in history and events. */
public final class Notes {
    public static final int MAX_LENGTH = 500;

    private Notes() {
    }

    /** The note stripped, or null when absent or blank; 400 when too long or holding control characters. */
    public static String check(String note) {
        if (note == null || note.isBlank()) {
            return null;
        }
        String stripped = note.strip();
        if (stripped.length() > MAX_LENGTH) {
            throw ProblemException.invalid("note", "must be at most " + MAX_LENGTH + " characters");
        }
        if (stripped.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\t')) {
            throw ProblemException.invalid("note", "must not contain control characters");
        }
        return stripped;
    }
}
