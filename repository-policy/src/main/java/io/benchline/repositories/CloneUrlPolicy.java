package io.benchline.repositories;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which clone URLs Benchline accepts. deployment-service checks a procedure's URL when it is created or changed
 * ({@link #check}: syntax, scheme, host name and literal addresses, no DNS); build-worker checks it again right
 * before it clones ({@link #checkResolved}: the same, then every address the host resolves to) and for every host
 * its HTTP transport connects to (redirects included, {@link #checkConnection}).
 *
 * <p>By default only {@code https} and {@code ssh} (also scp-like {@code git@host:path}) to public hosts pass.
 * {@code file://} URLs and plain paths need {@code allow-file}; loopback, private (RFC 1918, CGNAT), link-local
 * (169.254.169.254 included), unique-local IPv6 and reserved addresses, {@code localhost} and internal-looking names
 * need {@code allow-private-hosts}. Credentials inside a URL are always refused: they belong in the procedure's
 * write-only {@code repository.credentials}.
 */
public final class CloneUrlPolicy {
    /** The configuration prefix of the policy's keys. */
    public static final String PREFIX = "benchline.repositories";
    /** Network schemes an operator may allow ({@code file} is {@code allow-file}, not a scheme in the list). */
    public static final Set<String> KNOWN_SCHEMES = Set.of("https", "http", "ssh", "git");

    private static final Pattern URL_SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://.*", Pattern.DOTALL);
    /** scp-like syntax as git reads it: {@code [user@]host:path}, no slash before the colon. */
    private static final Pattern SCP_LIKE = Pattern.compile("^(?:([^/@:]+)@)?([^/@:\\[\\]]+|\\[[^/\\]]+\\]):(.*)$",
            Pattern.DOTALL);
    private static final Pattern DOTTED_QUAD = Pattern.compile("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");
    private static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    private static final List<String> INTERNAL_SUFFIXES = List.of(".localhost", ".local", ".internal", ".home.arpa",
            ".localdomain");

    private final Set<String> allowedSchemes;
    private final boolean allowPrivateHosts;
    private final boolean allowFile;
    private final List<String> allowedHosts;

    /**
     * @param allowedSchemes    network schemes that pass (a subset of {@link #KNOWN_SCHEMES})
     * @param allowPrivateHosts whether loopback, private, link-local and internal names pass
     * @param allowFile         whether {@code file://} URLs and plain paths pass
     * @param allowedHosts      when not empty, the only hosts that pass: exact names or {@code *.suffix}
     * @throws IllegalArgumentException for a scheme that is not known, or {@code file} in the scheme list
     */
    public CloneUrlPolicy(List<String> allowedSchemes, boolean allowPrivateHosts, boolean allowFile,
            List<String> allowedHosts) {
        Set<String> schemes = new LinkedHashSet<>();
        for (String s : allowedSchemes) {
            String scheme = s.trim().toLowerCase(Locale.ROOT);
            if (scheme.isEmpty()) {
                continue;
            }
            if (scheme.equals("file")) {
                throw new IllegalArgumentException(PREFIX + ".allowed-schemes: file URLs are switched on with "
                        + PREFIX + ".allow-file=true, not by listing the scheme");
            }
            if (!KNOWN_SCHEMES.contains(scheme)) {
                throw new IllegalArgumentException(PREFIX + ".allowed-schemes: '" + scheme
                        + "' is not a clone URL scheme Benchline supports (https, http, ssh, git)");
            }
            schemes.add(scheme);
        }
        List<String> hosts = new ArrayList<>();
        for (String h : allowedHosts) {
            String host = h.trim().toLowerCase(Locale.ROOT);
            if (!host.isEmpty()) {
                hosts.add(host);
            }
        }
        this.allowedSchemes = Set.copyOf(schemes);
        this.allowPrivateHosts = allowPrivateHosts;
        this.allowFile = allowFile;
        this.allowedHosts = List.copyOf(hosts);
    }

    /** The defaults: https and ssh to public hosts, no file URLs. */
    public static CloneUrlPolicy defaults() {
        return new CloneUrlPolicy(List.of("https", "ssh"), false, false, List.of());
    }

    /** Why a URL is refused: the rule (also the problem's {@code rule} member) and a readable message. */
    public record Refusal(Rule rule, String message) {
    }

    /** The rules a clone URL can break, each with the name shown in problems and build logs. */
    public enum Rule {
        MALFORMED("malformed-url"),
        CREDENTIALS_IN_URL("credentials-in-url"),
        SCHEME_NOT_ALLOWED("scheme-not-allowed"),
        FILE_NOT_ALLOWED("file-not-allowed"),
        HOST_NOT_ALLOWED("host-not-allowed"),
        PRIVATE_HOST("private-host"),
        UNRESOLVABLE_HOST("unresolvable-host");

        private final String id;

        Rule(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    /**
     * A clone URL as git reads it.
     *
     * @param scheme https, http, ssh, git (any other scheme as written) or file (also for a plain path)
     * @param host   lower case, without brackets and trailing dot; null for file
     * @param user   the user part (ssh's login user); null when none
     * @param hasPassword whether the URL carries {@code user:password@}
     * @param hasQuery    whether the URL carries a query or fragment
     */
    public record Target(String scheme, String host, String user, boolean hasPassword, boolean hasQuery,
            boolean scpLike) {
        public boolean isFile() {
            return scheme.equals("file");
        }
    }

    /** Resolves a host name to its addresses (DNS); tests replace it. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;

        Resolver SYSTEM = InetAddress::getAllByName;
    }

    /** Thrown by {@link #parse} for a string that is not a clone URL. */
    public static final class MalformedCloneUrl extends IllegalArgumentException {
        MalformedCloneUrl(String message) {
            super(message);
        }
    }

    /** Reads a clone URL; syntax only, no policy. */
    public static Target parse(String url) {
        if (url == null || url.isBlank()) {
            throw new MalformedCloneUrl("a clone URL is required");
        }
        if (url.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw new MalformedCloneUrl("a clone URL must not contain spaces or control characters");
        }
        if (URL_SCHEME.matcher(url).matches()) {
            return parseUri(url);
        }
        if (url.startsWith("/")) {
            return new Target("file", null, null, false, false, false);
        }
        Matcher scp = SCP_LIKE.matcher(url);
        if (scp.matches() && !scp.group(3).isEmpty()) {
            String host = normalizeHost(scp.group(2));
            return new Target("ssh", host, scp.group(1), false, false, true);
        }
        throw new MalformedCloneUrl("must be a git URL: https://host/path, ssh://host/path, git@host:path or, where "
                + "an operator allows it, file:///path");
    }

    private static Target parseUri(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new MalformedCloneUrl("is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        boolean query = uri.getRawQuery() != null || uri.getRawFragment() != null;
        if (scheme.equals("file")) {
            if (uri.getRawAuthority() != null && !uri.getRawAuthority().isEmpty()) {
                throw new MalformedCloneUrl("a file URL names no host: file:///path");
            }
            if (uri.getPath() == null || uri.getPath().length() < 2) {
                throw new MalformedCloneUrl("a file URL needs a path: file:///path");
            }
            return new Target("file", null, null, false, query, false);
        }
        if (uri.getRawAuthority() != null && uri.getHost() == null) {
            throw new MalformedCloneUrl("the host of the URL cannot be read");
        }
        if (uri.getHost() == null || uri.getPath() == null || uri.getPath().length() < 2) {
            throw new MalformedCloneUrl("must name a host and a repository path: " + scheme + "://host/path");
        }
        String user = null;
        boolean password = false;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = colon < 0 ? userInfo : userInfo.substring(0, colon);
            password = colon >= 0;
        }
        return new Target(scheme, normalizeHost(uri.getHost()), user, password, query, false);
    }

    private static String normalizeHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        while (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h;
    }

    /** Every rule that needs no DNS: syntax, credentials, scheme, file, allowed hosts, names and literal addresses. */
    public Optional<Refusal> check(String url) {
        Target target;
        try {
            target = parse(url);
        } catch (MalformedCloneUrl e) {
            return refuse(Rule.MALFORMED, e.getMessage());
        }
        if (target.isFile()) {
            if (target.hasQuery()) {
                return refuse(Rule.MALFORMED, "a file URL takes no query or fragment");
            }
            return allowFile ? Optional.empty() : refuse(Rule.FILE_NOT_ALLOWED, "file URLs and local paths are not "
                    + "allowed as clone URLs (an operator can allow them with " + PREFIX + ".allow-file=true)");
        }
        boolean ssh = target.scheme().equals("ssh");
        if (target.hasPassword() || (!ssh && target.user() != null)) {
            return refuse(Rule.CREDENTIALS_IN_URL, "the clone URL carries credentials; give the URL without them and "
                    + "put the token or deploy key in repository.credentials (write-only, stored encrypted)");
        }
        if (target.hasQuery()) {
            return refuse(Rule.MALFORMED, "a clone URL takes no query or fragment");
        }
        return checkHost(target.scheme(), target.host());
    }

    /** {@link #check}, then the addresses the host resolves to; what build-worker asks right before it clones. */
    public Optional<Refusal> checkResolved(String url, Resolver resolver) {
        Optional<Refusal> refusal = check(url);
        if (refusal.isPresent()) {
            return refusal;
        }
        Target target = parse(url);
        return target.isFile() ? Optional.empty() : checkAddresses(target.host(), resolver);
    }

    /**
     * One connection a transport is about to open (the clone URL's host, or where a redirect leads): the scheme,
     * the host's name and every address it resolves to.
     */
    public Optional<Refusal> checkConnection(String scheme, String host, Resolver resolver) {
        if (scheme == null || host == null || host.isBlank()) {
            return refuse(Rule.MALFORMED, "a connection without a scheme or host");
        }
        String h = normalizeHost(host);
        Optional<Refusal> refusal = checkHost(scheme.toLowerCase(Locale.ROOT), h);
        return refusal.isPresent() ? refusal : checkAddresses(h, resolver);
    }

    private Optional<Refusal> checkHost(String scheme, String host) {
        if (!allowedSchemes.contains(scheme)) {
            return refuse(Rule.SCHEME_NOT_ALLOWED, "clone URL scheme '" + scheme + "' is not allowed (allowed: "
                    + String.join(", ", allowedSchemes.stream().sorted().toList()) + "; " + PREFIX
                    + ".allowed-schemes)");
        }
        InetAddress literal;
        try {
            literal = literalAddress(host);
        } catch (MalformedCloneUrl e) {
            return refuse(Rule.MALFORMED, e.getMessage());
        }
        if (literal == null && !HOST_NAME.matcher(host).matches()) {
            return refuse(Rule.MALFORMED, "'" + host + "' is not a valid host name");
        }
        if (!allowedHosts.isEmpty() && allowedHosts.stream().noneMatch(p -> hostMatches(p, host))) {
            return refuse(Rule.HOST_NOT_ALLOWED, "host " + host + " is not one of the allowed hosts (" + PREFIX
                    + ".allowed-hosts)");
        }
        if (allowPrivateHosts) {
            return Optional.empty();
        }
        if (literal != null) {
            String kind = privateKind(literal);
            return kind == null ? Optional.empty() : refuse(Rule.PRIVATE_HOST, privateMessage(host, kind));
        }
        if (isInternalName(host)) {
            return refuse(Rule.PRIVATE_HOST, "host " + host + " names a local or internal host; " + allowHint());
        }
        return Optional.empty();
    }

    private Optional<Refusal> checkAddresses(String host, Resolver resolver) {
        InetAddress[] addresses;
        try {
            InetAddress literal = literalAddress(host);
            addresses = literal != null ? new InetAddress[] {literal} : resolver.resolve(host);
        } catch (UnknownHostException | MalformedCloneUrl e) {
            return refuse(Rule.UNRESOLVABLE_HOST, "cannot resolve host " + host);
        }
        if (addresses == null || addresses.length == 0) {
            return refuse(Rule.UNRESOLVABLE_HOST, "cannot resolve host " + host);
        }
        if (allowPrivateHosts) {
            return Optional.empty();
        }
        for (InetAddress address : addresses) {
            String kind = privateKind(address);
            if (kind != null) {
                return refuse(Rule.PRIVATE_HOST, "host " + host + " resolves to " + article(kind) + " " + kind
                        + " address; " + allowHint());
            }
        }
        return Optional.empty();
    }

    private static String privateMessage(String host, String kind) {
        return host + " is " + article(kind) + " " + kind + " address; " + allowHint();
    }

    private static String article(String kind) {
        return "aeiou".indexOf(kind.charAt(0)) >= 0 ? "an" : "a";
    }

    private static String allowHint() {
        return "clone URLs must reach public hosts (an operator can allow private ones with " + PREFIX
                + ".allow-private-hosts=true)";
    }

    private static boolean hostMatches(String pattern, String host) {
        if (pattern.startsWith("*.")) {
            return host.endsWith(pattern.substring(1));
        }
        return pattern.equals(host);
    }

    /** {@code localhost}, names under the local and internal suffixes, and single-label names (search domains). */
    static boolean isInternalName(String host) {
        if (host.equals("localhost") || !host.contains(".")) {
            return true;
        }
        return INTERNAL_SUFFIXES.stream().anyMatch(host::endsWith);
    }

    /**
     * The address a host literally is, or null for a name. Numeric forms other than a dotted quad ({@code 2130706433},
     * {@code 0x7f.1}, {@code 127.1}, {@code 0177.0.0.1}) are refused: resolvers read them differently.
     */
    static InetAddress literalAddress(String host) {
        try {
            if (host.indexOf(':') >= 0) {
                if (host.indexOf('%') >= 0) {
                    throw new MalformedCloneUrl("an IPv6 address with a zone is not a clone URL host");
                }
                if (!host.matches("[0-9a-f:.]+")) {
                    throw new MalformedCloneUrl("'" + host + "' is not a valid IPv6 address");
                }
                return InetAddress.getByName("[" + host + "]");
            }
            if (DOTTED_QUAD.matcher(host).matches()) {
                String[] parts = host.split("\\.");
                byte[] bytes = new byte[4];
                for (int i = 0; i < 4; i++) {
                    int n = Integer.parseInt(parts[i]);
                    if (n > 255) {
                        throw new MalformedCloneUrl("'" + host + "' is not a valid IPv4 address");
                    }
                    bytes[i] = (byte) n;
                }
                return InetAddress.getByAddress(bytes);
            }
        } catch (UnknownHostException e) {
            throw new MalformedCloneUrl("'" + host + "' is not a valid address");
        }
        String last = host.substring(host.lastIndexOf('.') + 1);
        if (last.matches("[0-9]+") || last.matches("0x[0-9a-f]*") || host.matches("[0-9.]+")) {
            throw new MalformedCloneUrl("'" + host + "' is a numeric host that is not a dotted-quad IPv4 address");
        }
        return null;
    }

    /** Null for a public address, else what kind of non-public address it is. */
    public static String privateKind(InetAddress address) {
        if (address.isLoopbackAddress()) {
            return "loopback";
        }
        if (address.isAnyLocalAddress()) {
            return "unspecified";
        }
        if (address.isLinkLocalAddress()) {
            return "link-local";
        }
        if (address.isSiteLocalAddress()) {
            return "private";
        }
        if (address.isMulticastAddress()) {
            return "multicast";
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return privateV4(b);
        }
        if (address instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) {
                return "unique-local";
            }
            byte[] embedded = embeddedV4(b);
            if (embedded != null) {
                return privateV4(embedded);
            }
            if (u(b[0]) == 0x20 && u(b[1]) == 0x01 && u(b[2]) == 0 && u(b[3]) == 0) {
                return "tunnelled (Teredo)";
            }
            if (u(b[0]) == 0x20 && u(b[1]) == 0x01 && u(b[2]) == 0x0d && u(b[3]) == 0xb8) {
                return "reserved";
            }
        }
        return null;
    }

    /** The IPv4 address inside an IPv4-mapped, -compatible, NAT64 or 6to4 IPv6 address; null otherwise. */
    private static byte[] embeddedV4(byte[] b) {
        boolean zero80 = true;
        for (int i = 0; i < 10; i++) {
            zero80 &= b[i] == 0;
        }
        boolean mapped = zero80 && u(b[10]) == 0xff && u(b[11]) == 0xff;
        boolean compatible = zero80 && b[10] == 0 && b[11] == 0;
        boolean nat64 = u(b[0]) == 0x00 && u(b[1]) == 0x64 && u(b[2]) == 0xff && u(b[3]) == 0x9b;
        if (mapped || compatible || nat64) {
            return new byte[] {b[12], b[13], b[14], b[15]};
        }
        if (u(b[0]) == 0x20 && u(b[1]) == 0x02) {
            return new byte[] {b[2], b[3], b[4], b[5]};
        }
        return null;
    }

    private static String privateV4(byte[] b) {
        int a = u(b[0]);
        int c = u(b[1]);
        if (a == 0) {
            return "unspecified";
        }
        if (a == 127) {
            return "loopback";
        }
        if (a == 10 || (a == 172 && c >= 16 && c <= 31) || (a == 192 && c == 168)) {
            return "private";
        }
        if (a == 169 && c == 254) {
            return "link-local";
        }
        if (a == 100 && c >= 64 && c <= 127) {
            return "shared (CGNAT)";
        }
        if ((a == 192 && c == 0 && (u(b[2]) == 0 || u(b[2]) == 2)) || (a == 198 && (c == 18 || c == 19))
                || (a == 198 && c == 51 && u(b[2]) == 100) || (a == 203 && c == 0 && u(b[2]) == 113)) {
            return "reserved";
        }
        if (a >= 224) {
            return a < 240 ? "multicast" : "reserved";
        }
        return null;
    }

    private static int u(byte b) {
        return b & 0xff;
    }

    /**
     * The URL without a password or token, for logs, answers and events: the user part of a URL becomes {@code ***}
     * (an https user is often the token itself), except ssh's login user, of which only a password is hidden.
     */
    public static String redact(String url) {
        if (url == null) {
            return null;
        }
        if (url.regionMatches(true, 0, "ssh://", 0, 6)) {
            return url.replaceAll("(?<=://)([^/@:]*):[^/@]*@", "$1:***@");
        }
        return url.replaceAll("(?<=://)[^/@]+@", "***@");
    }

    private static Optional<Refusal> refuse(Rule rule, String message) {
        return Optional.of(new Refusal(rule, message));
    }

    public boolean allowsFile() {
        return allowFile;
    }

    public boolean allowsPrivateHosts() {
        return allowPrivateHosts;
    }

    public Set<String> allowedSchemes() {
        return allowedSchemes;
    }
}
