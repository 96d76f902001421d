package io.benchline.deployments.model;

import java.util.regex.Pattern;

/**
 * Branch globs as excluded_branches uses them: {@code *} matches within one path segment,
 * {@code **} across segments, {@code ?} one character; everything else literally.
 */
public final class BranchPatterns {
    private BranchPatterns() {
    }

    public static boolean matches(String glob, String branch) {
        return branch != null && toRegex(glob).matcher(branch).matches();
    }

    /** Why a pattern is not acceptable, or null when it is. */
    public static String problem(String glob) {
        if (glob == null || glob.isBlank()) {
            return "must not be empty";
        }
        if (glob.length() > 255) {
            return "must be at most 255 characters";
        }
        for (char c : glob.toCharArray()) {
            if (c < 0x20 || c == 0x7f || c == ' ' || c == '~' || c == '^' || c == ':' || c == '\\' || c == '[') {
                return "contains a character not allowed in branch names: '" + c + "'";
            }
        }
        return null;
    }

    static Pattern toRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*') {
                if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                    regex.append(".*");
                    i++;
                } else {
                    regex.append("[^/]*");
                }
            } else if (c == '?') {
                regex.append("[^/]");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
