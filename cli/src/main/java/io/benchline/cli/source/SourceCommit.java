package io.benchline.cli.source;

/** The commit a deployment of a directory says it is: {@code sha} null when the files are not exactly a commit. */
public record SourceCommit(String sha, String message, String author) {
}
