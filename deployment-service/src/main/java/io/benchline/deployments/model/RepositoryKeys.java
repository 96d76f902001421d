package io.benchline.deployments.model;

import java.util.Locale;

/**
 * Normalized repository identities, so a push matches a procedure whichever URL form each side uses:
 * {@code https://user@GitHub.com/Acme/Rig.git}, {@code git@github.com:acme/rig} and
 * {@code ssh://git@github.com:22/acme/rig.git} all become {@code github.com/acme/rig}.
 */
public final class RepositoryKeys {
    private RepositoryKeys() {
    }

    /** Scheme, credentials ({@code user@}), port, trailing {@code /} and {@code .git} dropped; lower case. */
    public static String normalizeUrl(String url) {
        if (url == null || url.isBlank()) {
            return null;
        }
        String s = url.trim().toLowerCase(Locale.ROOT);
        boolean file = s.startsWith("file:");
        int scheme = s.indexOf("://");
        if (scheme >= 0) {
            s = s.substring(scheme + 3);
        } else if (file) {
            s = s.substring("file:".length());
        }
        if (!file) {
            int slash = s.indexOf('/');
            String authority = slash >= 0 ? s.substring(0, slash) : s;
            String path = slash >= 0 ? s.substring(slash) : "";
            int at = authority.lastIndexOf('@');
            if (at >= 0) {
                authority = authority.substring(at + 1);
            }
            int colon = authority.indexOf(':');
            if (colon >= 0) {
                String afterColon = authority.substring(colon + 1);
                // scp-like "host:owner/repo" has no "/" after the host; "host:2222" is a port.
                if (scheme < 0 && !afterColon.chars().allMatch(Character::isDigit)) {
                    path = "/" + afterColon + path;
                }
                authority = authority.substring(0, colon);
            }
            s = authority + path;
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.endsWith(".git")) {
            s = s.substring(0, s.length() - 4);
        }
        return s;
    }

    /** The repository's path on its host ({@code acme/rig}) for http(s) and ssh URLs; null for local paths. */
    public static String fullNameOf(String url) {
        String key = normalizeUrl(url);
        if (key == null || url.trim().toLowerCase(Locale.ROOT).startsWith("file:") || key.startsWith("/")) {
            return null;
        }
        int slash = key.indexOf('/');
        return slash >= 0 && slash < key.length() - 1 ? key.substring(slash + 1) : null;
    }

    public static String normalizeFullName(String fullName) {
        if (fullName == null || fullName.isBlank()) {
            return null;
        }
        String s = fullName.trim().toLowerCase(Locale.ROOT);
        while (s.startsWith("/")) {
            s = s.substring(1);
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s.endsWith(".git") ? s.substring(0, s.length() - 4) : s;
    }
}
