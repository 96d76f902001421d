package io.benchline.builds.app;

/** A build cannot succeed; the message is the readable failure_reason reported on build.completed. */
public class BuildFailure extends RuntimeException {
    public BuildFailure(String reason) {
        super(reason);
    }

    public BuildFailure(String reason, Throwable cause) {
        super(reason, cause);
    }
}
