package io.benchline.testsupport;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Everything the service under test logs (at its configured levels) while the capture is open: each record's message
 * or format, every parameter and any stack trace, as text to search, for example for a secret that must never appear.
 */
public final class LogCapture implements AutoCloseable {
    private final StringBuffer text = new StringBuffer();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            StringBuilder line = new StringBuilder().append(record.getLevel()).append(' ')
                    .append(record.getLoggerName()).append(": ").append(formatted(record));
            if (record.getParameters() != null) {
                for (Object parameter : record.getParameters()) {
                    line.append(" | ").append(parameter);
                }
            }
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                line.append('\n').append(trace);
            }
            text.append(line).append('\n');
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    /** The message as the log shows it: printf style (JBoss Logging's infof) or MessageFormat style. */
    private static String formatted(LogRecord record) {
        String message = String.valueOf(record.getMessage());
        Object[] parameters = record.getParameters();
        if (parameters == null || parameters.length == 0) {
            return message;
        }
        try {
            return message.contains("{0") ? java.text.MessageFormat.format(message, parameters)
                    : String.format(message, parameters);
        } catch (RuntimeException e) {
            return message;
        }
    }

    private LogCapture() {
        Logger.getLogger("").addHandler(handler);
    }

    public static LogCapture start() {
        return new LogCapture();
    }

    public String text() {
        return text.toString();
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(handler);
    }
}
