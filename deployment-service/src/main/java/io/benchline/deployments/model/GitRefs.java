package io.benchline.deployments.model;

import java.util.regex.Pattern;

/** Branch names and commit ids as git accepts them (the rules of {@code git check-ref-format --branch}). */
public final class GitRefs {
    private static final Pattern SHA = Pattern.compile("[0-9a-fA-F]{40}");

    private GitRefs() {
    }

    public static boolean isCommitSha(String value) {
        return value != null && SHA.matcher(value).matches();
    }

    /** Why {@code name} is not a valid branch name, or null when it is. */
    public static String branchProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "must not be empty";
        }
        if (name.length() > 255) {
            return "must be at most 255 characters";
        }
        if (name.equals("@")) {
            return "must not be '@'";
        }
        if (name.startsWith("/") || name.endsWith("/") || name.contains("//")) {
            return "must not start or end with '/' or contain '//'";
        }
        if (name.endsWith(".") || name.contains("..") || name.contains("@{")) {
            return "must not end with '.' or contain '..' or '@{'";
        }
        if (name.startsWith("-")) {
            return "must not start with '-'";
        }
        for (String component : name.split("/")) {
            if (component.startsWith(".") || component.endsWith(".lock")) {
                return "no path component may start with '.' or end with '.lock'";
            }
        }
        for (char c : name.toCharArray()) {
            if (c < 0x20 || c == 0x7f || c == ' ' || c == '~' || c == '^' || c == ':' || c == '?' || c == '*'
                    || c == '[' || c == '\\') {
                return "contains a character git does not allow in ref names: '" + c + "'";
            }
        }
        return null;
    }
}
