package io.benchline.gateway;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyResponse;

/** The gateway's own answers: RFC 9457 problem JSON, shaped like service-common's {@code Problem}. */
final class Problems {
    static final String MEDIA_TYPE = "application/problem+json";
    static final String TYPE_BASE = "https://benchline.io/problems/";

    private Problems() {
    }

    static Buffer body(int status, String kind, String title, String detail) {
        return new JsonObject().put("type", TYPE_BASE + kind).put("title", title).put("status", status)
                .put("detail", detail).toBuffer();
    }

    /** The problem type of an error status that has no more specific one. */
    static String kind(int status) {
        return switch (status) {
            case 401 -> "unauthorized";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 413 -> "payload-too-large";
            case 414 -> "uri-too-long";
            case 415 -> "unsupported-media-type";
            case 431 -> "headers-too-large";
            case 502 -> "bad-gateway";
            case 503 -> "unavailable";
            case 504 -> "gateway-timeout";
            default -> status >= 500 ? "internal-error" : "invalid-request";
        };
    }

    static String title(int status) {
        HttpResponseStatus known = HttpResponseStatus.valueOf(status);
        return known.reasonPhrase();
    }

    /** Answers on the server response directly (before the proxy is involved). */
    static void send(HttpServerResponse response, int status, String kind, String title, String detail) {
        response.setStatusCode(status).putHeader("Content-Type", MEDIA_TYPE).end(body(status, kind, title, detail));
    }

    /** A proxy response in place of the upstream's; the rest of the client's body is read and dropped. */
    static ProxyResponse answer(ProxyContext context, int status, String kind, String title, String detail) {
        return context.request().release().response().setStatusCode(status).putHeader("Content-Type", MEDIA_TYPE)
                .setBody(Body.body(body(status, kind, title, detail)));
    }
}
