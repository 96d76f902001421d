package io.benchline.cli.agent;

import java.io.IOException;

/** A non-2xx answer of the dispatcher or the object store. */
public final class ApiException extends IOException {
    private final int status;

    public ApiException(String what, int status, String body) {
        super(what + " answered HTTP " + status + (body == null || body.isBlank() ? "" : ": " + abbreviate(body)));
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** A client error that repeating the same request will not fix (not 401, 408 or 429). */
    public boolean permanent() {
        return status >= 400 && status < 500 && status != 401 && status != 408 && status != 429;
    }

    private static String abbreviate(String body) {
        String s = body.strip();
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
