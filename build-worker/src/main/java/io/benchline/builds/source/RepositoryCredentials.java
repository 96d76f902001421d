package io.benchline.builds.source;

/**
 * A procedure's repository credentials in clear, as deployment-service hands them to one build: held in memory for
 * the clone only, never logged ({@link #toString} names only the type), never published.
 *
 * @param type     token or ssh_key
 * @param username for a token: the HTTP user name to send with it
 */
public record RepositoryCredentials(String type, String username, String token, String privateKey) {
    public static final String TOKEN = "token";
    public static final String SSH_KEY = "ssh_key";

    @Override
    public String toString() {
        return "RepositoryCredentials[type=" + type + "]";
    }
}
