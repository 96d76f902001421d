package io.benchline.stack;

/** A start-up problem the user can act on; its message is printed without a stack trace. */
public class StackException extends RuntimeException {
    public StackException(String message) {
        super(message);
    }

    public StackException(String message, Throwable cause) {
        super(message, cause);
    }
}
