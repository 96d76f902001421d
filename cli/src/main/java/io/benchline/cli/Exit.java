package io.benchline.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Exit codes of every {@code benchline} command that calls the API. 0, 1 and 2 keep the meaning they always had
 * (ok, request failed, usage error; picocli answers 2 for bad flags); 3 to 5 name the refusals a script acts on.
 */
public final class Exit {
    public static final int OK = 0;
    /** Server error (5xx), server unreachable or timed out, an answer that cannot be read, another 4xx. */
    public static final int FAILED = 1;
    /**
     * Bad or missing flags, input the server rejected (400, 413, 422), a delete, rollout abort or production deploy
     * that was not confirmed, a directory too large to pack.
     */
    public static final int USAGE = 2;
    public static final int NOT_FOUND = 3;
    /** The request conflicts with the current state or a rule (409), e.g. a delete while stations point at it. */
    public static final int CONFLICT = 4;
    /** No valid API key (401) or the key's role does not allow it (403). */
    public static final int DENIED = 5;

    /** For {@code --help} ("Exit codes:"). */
    public static final Map<String, String> DESCRIPTIONS = descriptions();

    private Exit() {
    }

    /** The exit code for an HTTP status that is not 2xx. */
    public static int forStatus(int status) {
        return switch (status) {
            case 400, 413, 422 -> USAGE;
            case 401, 403 -> DENIED;
            case 404, 410 -> NOT_FOUND;
            case 409, 412 -> CONFLICT;
            default -> FAILED;
        };
    }

    private static Map<String, String> descriptions() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("0", "ok");
        d.put("1", "request failed: server error (5xx), server unreachable, unreadable answer, other 4xx");
        d.put("2", "usage error, invalid input (400, 413, 422), delete, rollout abort or production deploy not"
                + " confirmed");
        d.put("3", "not found (404)");
        d.put("4", "conflict, refused by a rule (409): the detail and members such as stations are printed");
        d.put("5", "unauthorized or forbidden (401, 403): missing or revoked API key, role too low");
        return java.util.Collections.unmodifiableMap(d);
    }
}
