package io.benchline.artifacts.app;

import io.benchline.common.api.ProblemException;

import java.util.regex.Pattern;

/**
 * The exact text an artifact signature covers (version 1). Ed25519 signs its UTF-8 bytes:
 *
 * <pre>
 * benchline-artifact-signature-v1\n
 * organization:&lt;organization id&gt;\n
 * procedure:&lt;procedure id&gt;\n
 * digest:sha256:&lt;64 lower-case hex&gt;\n
 * </pre>
 *
 * Four lines, each ending in one {@code \n}, nothing else. Because the organization and the procedure are in it, a
 * signature made for one organization's (or procedure's) artifact does not verify for another's, even when the
 * bytes, and so the digest, are the same. Ids are restricted to {@code [A-Za-z0-9_-]}, so no id can smuggle a line
 * break. The agent (cli {@code ArtifactVerifier}) builds the same text.
 */
public final class SignedMessage {
    public static final String VERSION_LINE = "benchline-artifact-signature-v1";
    private static final Pattern ID = Pattern.compile("^[A-Za-z0-9_-]{1,100}$");

    private SignedMessage() {
    }

    public static String of(String digest, String organizationId, String procedureId) {
        requireId("organization_id", organizationId);
        requireId("procedure_id", procedureId);
        return VERSION_LINE + "\n" + "organization:" + organizationId + "\n" + "procedure:" + procedureId + "\n"
                + "digest:" + digest + "\n";
    }

    public static void requireId(String field, String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw ProblemException.invalid(field, "is required: 1 to 100 characters of A-Z, a-z, 0-9, _ and -");
        }
    }
}
