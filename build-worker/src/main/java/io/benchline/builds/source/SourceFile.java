package io.benchline.builds.source;

import org.eclipse.jgit.lib.ObjectId;

/** One regular file of the commit's tree: its path (with '/'), blob id and size. */
public record SourceFile(String path, ObjectId blob, long size) {
}
