package io.benchline.cli;

import java.time.Instant;

/** Plain line logging to standard error: timestamp, level, message. No framework. */
public final class Log {
    private static volatile boolean debug = Boolean.getBoolean("benchline.debug");

    private Log() {
    }

    public static void setDebug(boolean enabled) {
        debug = enabled;
    }

    public static void info(String format, Object... args) {
        write("INFO ", format, args);
    }

    public static void warn(String format, Object... args) {
        write("WARN ", format, args);
    }

    public static void error(String format, Object... args) {
        write("ERROR", format, args);
    }

    public static void debug(String format, Object... args) {
        if (debug) {
            write("DEBUG", format, args);
        }
    }

    /** The message of an exception, or its type when it has none (as with ConnectException). */
    public static String describe(Throwable e) {
        String message = e.getMessage();
        if (message != null && !message.isBlank()) {
            return message;
        }
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
                return e.getClass().getSimpleName() + ": " + cause.getMessage();
            }
        }
        return e instanceof java.net.ConnectException ? "connection refused or host unreachable"
                : e.getClass().getSimpleName();
    }

    private static void write(String level, String format, Object... args) {
        String message = args.length == 0 ? format : String.format(format, args);
        System.err.println(Instant.now() + " " + level + " [" + Thread.currentThread().getName() + "] " + message);
    }
}
