package io.benchline.gateway;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The public route table (path prefix → owning service) and the paths the gateway refuses to route. {@code /internal}
 * is never in the table: it is service-to-service only.
 */
public final class Routes {

    public record Route(String prefix, Upstream upstream) {
        /** A prefix ending in {@code /} matches below it; otherwise the path equals it or continues with {@code /}. */
        boolean matches(String path) {
            return path.startsWith(prefix) && (prefix.endsWith("/") || path.length() == prefix.length()
                    || path.charAt(prefix.length()) == '/');
        }
    }

    public static final List<Route> TABLE = List.of(
            new Route("/webhooks/", Upstream.WEBHOOK),
            new Route("/v2/procedures", Upstream.DEPLOYMENT),
            new Route("/v2/deployments", Upstream.DEPLOYMENT),
            new Route("/v2/api-keys", Upstream.DEPLOYMENT),
            new Route("/v2/keys", Upstream.ARTIFACT),
            new Route("/v2/uploads", Upstream.ARTIFACT),
            new Route("/v2/stations", Upstream.DISPATCHER),
            new Route("/v2/rollouts", Upstream.DISPATCHER),
            new Route("/agent/", Upstream.DISPATCHER));

    private Routes() {
    }

    /** The upstream for a raw (undecoded) request path; empty for unknown and refused paths. */
    public static Optional<Upstream> route(String rawPath) {
        if (rawPath == null || !rawPath.startsWith("/") || escapes(rawPath)) {
            return Optional.empty();
        }
        for (Route route : TABLE) {
            if (route.matches(rawPath)) {
                return Optional.of(route.upstream());
            }
        }
        return Optional.empty();
    }

    /**
     * True for paths a service could resolve to somewhere else than the prefix the gateway matched (/internal, say):
     * dot segments (also percent-encoded or with a {@code ;} parameter), encoded or back slashes, broken escapes.
     */
    static boolean escapes(String rawPath) {
        String lower = rawPath.toLowerCase(Locale.ROOT);
        if (lower.contains("%2f") || lower.contains("%5c") || rawPath.indexOf('\\') >= 0) {
            return true;
        }
        String decoded;
        try {
            decoded = URLDecoder.decode(rawPath.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return true; // a broken escape is no path we route either
        }
        for (String segment : decoded.split("/", -1)) {
            int parameters = segment.indexOf(';');
            String name = parameters < 0 ? segment : segment.substring(0, parameters);
            if (name.equals(".") || name.equals("..")) {
                return true;
            }
        }
        return false;
    }
}
