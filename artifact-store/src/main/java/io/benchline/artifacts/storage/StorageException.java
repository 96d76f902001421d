package io.benchline.artifacts.storage;

/** The object store failed or could not be reached; a transient condition for callers (503). */
public class StorageException extends RuntimeException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
