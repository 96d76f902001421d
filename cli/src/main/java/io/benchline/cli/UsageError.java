package io.benchline.cli;

import java.io.IOException;

/** Input the command cannot work with (a missing procedure id, a directory too large to pack): exit 2. */
public class UsageError extends IOException {
    public UsageError(String message) {
        super(message);
    }

    public UsageError(String message, Throwable cause) {
        super(message, cause);
    }
}
