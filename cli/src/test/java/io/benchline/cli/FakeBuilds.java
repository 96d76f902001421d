package io.benchline.cli;

import java.util.Map;

/**
 * What the fake API answers for a deployment of a directory: the upload announcement (a presigned URL of
 * {@link FakeS3}), the created deployment, its build log as a stream and its final state.
 */
final class FakeBuilds {
    static final String UPLOAD_ID = "upl_01jd0000000000000000000000";

    private FakeBuilds() {
    }

    /** {@code POST /v2/uploads} answers a URL of {@code s3}, echoing nothing it was not sent. */
    static void uploads(FakeApi api, FakeS3 s3) {
        api.answer("POST /v2/uploads", 201, "{\"id\":\"" + UPLOAD_ID + "\",\"url\":\"" + s3.url("org_1/" + UPLOAD_ID)
                + "\",\"method\":\"PUT\",\"size_bytes\":0,\"sha256\":\"\",\"expires_at\":\"2026-12-01T10:15:00Z\","
                + "\"max_size_bytes\":104857600}");
    }

    /** A deployment's JSON as the server shows it. */
    static String deployment(String id, String environment, String status, String extra) {
        return "{\"id\":\"" + id + "\",\"procedure_id\":\"prc_1\",\"procedure\":{\"id\":\"prc_1\",\"name\":\"flash-test\"},"
                + "\"status\":\"" + status + "\",\"environment\":\"" + environment + "\",\"trigger\":\"upload\","
                + "\"source\":\"upload\"" + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    /** The build of {@code id}: two log lines, then the end with {@code status}; GET answers the final state. */
    static void build(FakeApi api, String id, String environment, String status, String failureReason) {
        api.stream("GET /v2/deployments/" + id + "/logs", Map.of("",
                "id: 1\nevent: line\ndata: {\"number\":1,\"timestamp\":\"t1\",\"level\":\"info\",\"text\":\"installing\"}\n\n"
                        + "id: 2\nevent: line\ndata: {\"number\":2,\"timestamp\":\"t2\",\"level\":\"info\",\"text\":"
                        + "\"checked " + id + "\"}\n\n"
                        + "event: end\ndata: {\"status\":\"" + status + "\"}\n\n"));
        api.answer("GET /v2/deployments/" + id, 200, deployment(id, environment, status,
                failureReason == null ? "" : "\"failure_reason\":\"" + failureReason + "\""));
    }
}
