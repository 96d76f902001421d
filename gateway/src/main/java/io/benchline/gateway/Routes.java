package io.benchline.gateway;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The public route table (path prefix → owning service, the first match wins) and the paths the gateway refuses to
 * route. {@code /internal} is never in the table: it is service-to-service only. {@code /} is the dashboard's, as an
 * exact path: it is no catch-all, every path the table does not name stays a 404.
 */
public final class Routes {

    /**
     * A path prefix and the service that owns the paths it matches. A {@code *} segment in the prefix stands for any
     * one non-empty segment of the path ({@code /v2/procedures/*}{@code /rollouts}). An {@code exact} route matches
     * its path and nothing below it ({@link #exact}).
     */
    public record Route(String prefix, Upstream upstream, boolean exact) {
        public Route {
            for (String segment : prefix.split("/", -1)) {
                if (segment.contains("*") && !segment.equals("*")) {
                    throw new IllegalArgumentException("a * stands for a whole segment: " + prefix);
                }
            }
            if (exact && prefix.contains("*")) {
                throw new IllegalArgumentException("an exact route names one path, without *: " + prefix);
            }
        }

        /** A prefix route: the path itself and everything below it. */
        public Route(String prefix, Upstream upstream) {
            this(prefix, upstream, false);
        }

        /** The one path {@code path} (the query aside), nothing below it: {@code /} without becoming a catch-all. */
        public static Route exact(String path, Upstream upstream) {
            return new Route(path, upstream, true);
        }

        /**
         * An exact route matches its path only. A prefix ending in {@code /} matches below it; otherwise the path
         * equals it or continues with {@code /}.
         */
        boolean matches(String path) {
            if (exact) {
                return prefix.equals(path);
            }
            int at = 0;
            for (int i = 0; i < prefix.length(); i++) {
                char c = prefix.charAt(i);
                if (c == '*') {
                    int start = at;
                    while (at < path.length() && path.charAt(at) != '/') {
                        at++;
                    }
                    if (at == start) {
                        return false;
                    }
                } else if (at < path.length() && path.charAt(at) == c) {
                    at++;
                } else {
                    return false;
                }
            }
            return prefix.endsWith("/") || at == path.length() || path.charAt(at) == '/';
        }
    }

    public static final List<Route> TABLE = List.of(
            new Route("/webhooks/", Upstream.WEBHOOK),
            // A procedure's rollouts and station settings are station-dispatcher's, the rest deployment-service's.
            new Route("/v2/procedures/*/rollouts", Upstream.DISPATCHER),
            new Route("/v2/procedures/*/station-settings", Upstream.DISPATCHER),
            new Route("/v2/procedures", Upstream.DEPLOYMENT),
            new Route("/v2/deployments", Upstream.DEPLOYMENT),
            new Route("/v2/api-keys", Upstream.DEPLOYMENT),
            new Route("/v2/keys", Upstream.ARTIFACT),
            new Route("/v2/uploads", Upstream.ARTIFACT),
            new Route("/v2/stations", Upstream.DISPATCHER),
            new Route("/v2/rollouts", Upstream.DISPATCHER),
            new Route("/agent/", Upstream.DISPATCHER),
            // The dashboard's pages; its API calls come back through the gateway to the routes above.
            Route.exact("/", Upstream.DASHBOARD),
            new Route("/sign-in", Upstream.DASHBOARD),
            new Route("/sign-out", Upstream.DASHBOARD),
            new Route("/procedures", Upstream.DASHBOARD),
            new Route("/deployments", Upstream.DASHBOARD),
            new Route("/rollouts", Upstream.DASHBOARD),
            new Route("/stations", Upstream.DASHBOARD),
            new Route("/api-keys", Upstream.DASHBOARD),
            new Route("/static/", Upstream.DASHBOARD));

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
