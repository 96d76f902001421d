package io.benchline.e2e.fuzz;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.benchline.e2e.fuzz.OpenApi.Operation;
import io.benchline.e2e.fuzz.OpenApi.Parameter;
import io.benchline.e2e.fuzz.OpenApi.Schema;

import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Generates junk requests for the operations of the OpenAPI documents, from a seed: for each operation and each
 * kind of junk every candidate case is listed, and a seeded sample of at most {@code perCategory} of them is sent.
 * A case marked {@code mustRefuse} is one no correct server accepts (a wrong JSON type, a control character, no
 * credentials, a method the path does not have); the others only have to be answered without a 5xx.
 */
public final class Fuzzer {
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonGenerator.Feature.ESCAPE_NON_ASCII);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");

    /** One request to send, and what is asked of its answer. */
    public record Case(String category, String operation, URI base, RawHttp.Request request, boolean mustRefuse,
            String what) {
    }

    /**
     * What the fuzz works against: credentials, and ids of records that exist, so that junk in one place reaches the
     * validation of the others. {@code examples} are valid bodies for operations the documents give no schema for
     * (the webhooks), keyed by operation id; {@code sign} adds a webhook's signature headers over a body.
     */
    public record Fixtures(URI gateway, Map<String, URI> services, String apiKey, String agentToken,
            String internalToken, Map<String, String> ids, Map<String, byte[]> examples,
            java.util.function.BiFunction<Operation, byte[], Map<String, String>> sign) {
    }

    private final Random random;
    private final Fixtures fixtures;
    private final int perCategory;
    private int serial;

    public Fuzzer(long seed, Fixtures fixtures, int perCategory) {
        this.random = new Random(seed);
        this.fixtures = fixtures;
        this.perCategory = perCategory;
    }

    /** Every case for the operations, in the order to send them: reads and writes first, deletes, then internal. */
    public List<Case> cases(List<Operation> operations) {
        List<Operation> ordered = new ArrayList<>(operations);
        ordered.sort(java.util.Comparator.comparingInt(Fuzzer::rank));
        Map<String, Set<String>> methodsByPath = operations.stream().collect(Collectors.groupingBy(Operation::path,
                LinkedHashMap::new, Collectors.mapping(Operation::method, Collectors.toCollection(LinkedHashSet::new))));
        List<Case> all = new ArrayList<>();
        for (Operation op : ordered) {
            all.addAll(sample(baseline(op)));
            all.addAll(sample(auth(op)));
            all.addAll(sample(wrongTypes(op)));
            all.addAll(sample(text(op)));
            all.addAll(sample(sizes(op)));
            all.addAll(sample(structure(op)));
            all.addAll(sample(contentTypes(op)));
            all.addAll(sample(pathJunk(op)));
            all.addAll(sample(queryJunk(op)));
            all.addAll(sample(headerJunk(op)));
            all.addAll(sample(accept(op)));
            all.addAll(sample(otherMethods(op, methodsByPath.get(op.path()))));
        }
        return all;
    }

    /**
     * Bodies over each service's limit and over the gateway's (25 MB), declared and chunked, to one operation with a
     * body per service: through the gateway, and with a declared length straight to the service.
     */
    public List<Case> tooLarge(List<Operation> operations, long... sizes) {
        List<Case> cases = new ArrayList<>();
        Set<String> services = new LinkedHashSet<>();
        for (Operation op : operations) {
            if (op.body() == null || internal(op) || !services.add(op.service())) {
                continue;
            }
            for (long size : sizes) {
                byte[] body = hugeBody(op, (int) size);
                for (boolean chunked : new boolean[] {false, true}) {
                    cases.add(new Case("too-large", op.id(), fixtures.gateway(), request(op, op.method(),
                            target(op, validPath(op), validQuery(op)), mediaType(op), body, chunked, true, Map.of()),
                            false, size + " bytes" + (chunked ? " chunked" : "") + " through the gateway"));
                }
                cases.add(new Case("too-large", op.id(), fixtures.services().get(op.service()), request(op, op.method(),
                        target(op, validPath(op), validQuery(op)), mediaType(op), body, false, true, Map.of()),
                        false, size + " bytes straight to " + op.service()));
            }
        }
        return cases;
    }

    /**
     * Request targets and headers over the gateway's limits (4,000 characters, 16 KB) to one public operation per
     * service, and over the services' own (4,096-byte request line, 20 KB of headers): 414 and 431 problems.
     */
    public List<Case> tooLong(List<Operation> operations) {
        List<Case> cases = new ArrayList<>();
        Set<String> services = new LinkedHashSet<>();
        for (Operation op : operations) {
            if (internal(op) || !services.add(op.service())) {
                continue;
            }
            String target = target(op, validPath(op), validQuery(op));
            String join = target.contains("?") ? "&" : "?";
            byte[] body = op.body() == null ? null : bytes(op, baselineBody(op));
            for (int length : new int[] {4_001, 5_000, 30_000}) {
                String longTarget = target + join + "junk=" + "a".repeat(Math.max(0, length - target.length() - 6));
                cases.add(new Case("too-long", op.id(), fixtures.gateway(), request(op, op.method(), longTarget,
                        mediaType(op), body, false, true, Map.of()), true, "a request target of " + length
                        + " characters"));
            }
            for (int size : new int[] {17 * 1024, 25 * 1024, 40 * 1024}) {
                cases.add(new Case("too-long", op.id(), fixtures.gateway(), request(op, op.method(), target,
                        mediaType(op), body, false, true, Map.of("X-Junk", "j".repeat(size))), true,
                        "a header of " + size + " bytes"));
            }
        }
        return cases;
    }

    /**
     * Whether {@code part} may appear in a request target that {@link URI} parses. Quarkus answers one it cannot parse
     * (a broken percent escape) with a bare 400 before any application code runs; the gateway, where public requests
     * arrive, checks targets itself and answers problem JSON, so only internal routes (reached straight at a service)
     * are spared such targets.
     */
    static boolean validTarget(String part) {
        try {
            new URI("/x/" + part);
            return true;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    private static int rank(Operation op) {
        return (internal(op) ? 2 : 0) + (op.method().equals("DELETE") ? 1 : 0);
    }

    private static boolean internal(Operation op) {
        return op.path().startsWith("/internal/");
    }

    private List<Case> sample(List<Case> cases) {
        List<Case> copy = new ArrayList<>(cases);
        Collections.shuffle(copy, random);
        return copy.subList(0, Math.min(perCategory, copy.size()));
    }

    // ---- categories ----

    private List<Case> baseline(Operation op) {
        return List.of(bodyCase(op, "baseline", baselineBody(op), false, "a valid request"));
    }

    private List<Case> auth(Operation op) {
        List<Case> cases = new ArrayList<>();
        byte[] body = op.body() == null ? null : bytes(op, baselineBody(op));
        Map<String, String> noAuth = new LinkedHashMap<>();
        if (op.bodyMediaType() != null) {
            noAuth.put("Content-Type", mediaType(op));
        }
        String target = target(op, validPath(op), validQuery(op));
        cases.add(raw(op, "auth", op.method(), target, noAuth, body, true, "without credentials"));
        String header = internal(op) ? "X-Benchline-Internal-Token" : "Authorization";
        for (String junk : List.of("Bearer blk_not_a_key", "Bearer ", "Basic Zm9vOmJhcg==", "Bearer " + "k".repeat(4000),
                "bearer bst_" + "%00", "Bearer blk_" + "\u00ff\u00fe")) {
            Map<String, String> headers = new LinkedHashMap<>(noAuth);
            headers.put(header, internal(op) ? junk.substring(junk.indexOf(' ') + 1) : junk);
            cases.add(raw(op, "auth", op.method(), target, headers, body, true, header + ": " + abbreviate(junk)));
        }
        return cases;
    }

    private List<Case> wrongTypes(Operation op) {
        List<Case> cases = new ArrayList<>();
        JsonNode base = baselineBody(op);
        for (Field field : fields(base, schemaOf(op))) {
            for (JsonNode wrong : wrongValues(field.schema())) {
                cases.add(bodyCase(op, "wrong-type", with(base, field.path(), wrong), op.jsonBody(),
                        field.name() + " = " + wrong));
            }
        }
        return cases;
    }

    private List<Case> text(Operation op) {
        List<Case> cases = new ArrayList<>();
        JsonNode base = baselineBody(op);
        for (Field field : fields(base, schemaOf(op))) {
            if (!"string".equals(field.schema().type())) {
                continue;
            }
            for (String bad : List.of("\u0000", "bench\u0000-01", "\u0001", "\u001b[31m", "\u007f", "\u0085", "\u009b",
                    "\ud800", "a\udc00b")) {
                cases.add(bodyCase(op, "text", with(base, field.path(), TextNode.valueOf(bad)), op.jsonBody(),
                        field.name() + " = " + escape(bad)));
            }
            for (String odd : List.of("line\nbreak", "tab\there", "cr\r\nlf", "ä😀\u202e", "\ufeff", "' OR '1'='1",
                    "../../../../etc/passwd", "${jndi:ldap://127.0.0.1/x}", "%00", "<script>alert(1)</script>", " ", "")) {
                cases.add(bodyCase(op, "text", with(base, field.path(), TextNode.valueOf(odd)), false,
                        field.name() + " = " + escape(odd)));
            }
        }
        return cases;
    }

    private List<Case> sizes(Operation op) {
        List<Case> cases = new ArrayList<>();
        JsonNode base = baselineBody(op);
        for (Field field : fields(base, schemaOf(op))) {
            String type = field.schema().type();
            if ("string".equals(type)) {
                for (int length : new int[] {256, 10_000, 100_000}) {
                    cases.add(bodyCase(op, "size", with(base, field.path(), TextNode.valueOf("x".repeat(length))), false,
                            field.name() + " = " + length + " characters"));
                }
            } else if ("integer".equals(type)) {
                boolean int32 = "int32".equals(field.schema().format());
                for (long n : new long[] {Long.MAX_VALUE, Long.MIN_VALUE, -1, 0, Integer.MAX_VALUE + 1L}) {
                    boolean outOfRange = int32 && (n > Integer.MAX_VALUE || n < Integer.MIN_VALUE);
                    cases.add(bodyCase(op, "size", with(base, field.path(), LongNode.valueOf(n)),
                            op.jsonBody() && outOfRange, field.name() + " = " + n));
                }
                for (BigDecimal n : new BigDecimal[] {new BigDecimal(BigInteger.TWO.pow(63)), new BigDecimal("-1E+400"),
                        new BigDecimal("1E+400"), new BigDecimal("9".repeat(1200))}) {
                    cases.add(bodyCase(op, "size", with(base, field.path(), DecimalNode.valueOf(n)), op.jsonBody(),
                            field.name() + " = " + abbreviate(n.toString())));
                }
            } else if ("array".equals(type)) {
                ArrayNode many = NODES.arrayNode();
                JsonNode item = field.schema().items() == null ? TextNode.valueOf("x") : valid("item", field.schema().items());
                for (int i = 0; i < 5_000; i++) {
                    many.add(item);
                }
                cases.add(bodyCase(op, "size", with(base, field.path(), many), false, field.name() + " with 5,000 items"));
            }
        }
        return cases;
    }

    private List<Case> structure(Operation op) {
        List<Case> cases = new ArrayList<>();
        if (op.body() == null) {
            // A body where none is expected.
            cases.add(bytesCase(op, "structure", "{\"junk\":\"\\u0000\"}".getBytes(StandardCharsets.UTF_8),
                    "application/json", false, "a body on an operation without one"));
            return cases;
        }
        boolean strict = op.jsonBody();
        JsonNode base = baselineBody(op);
        Map<String, Boolean> bodies = new LinkedHashMap<>();
        bodies.put("[]", strict);
        bodies.put("[{}]", strict);
        bodies.put("\"x\"", strict);
        bodies.put("5", strict);
        bodies.put("true", strict);
        bodies.put("{}", false);
        bodies.put("null", false);
        bodies.put("", false);
        bodies.put("{", strict);
        bodies.put("{\"a\":}", strict);
        bodies.put("{\"a\" 1}", strict);
        bodies.put("{'a':1}", strict);
        bodies.put("{\"a\":1}}", strict);
        bodies.put(json(base) + " trailing", strict);
        bodies.put(json(base) + "{}", strict);
        bodies.put("\ufeff" + json(base), false);
        bodies.put("{\"name\":\"a\u0000b\"}", strict); // a raw control character inside a string is not JSON
        bodies.put("{\"name\":\"\\u00\"}", strict);
        bodies.put("[".repeat(10_000) + "]".repeat(10_000), strict);
        bodies.put("{\"" + "k".repeat(100_000) + "\":1}", false);
        bodies.put("{\"a\":" + "1".repeat(5_000) + "}", strict);
        if (base instanceof ObjectNode object && object.size() > 0) {
            String first = object.fieldNames().next();
            bodies.put("{\"" + first + "\":" + object.get(first) + ",\"" + first + "\":" + object.get(first) + "}", strict);
        }
        bodies.forEach((body, refuse) -> cases.add(bytesCase(op, "structure", body.getBytes(StandardCharsets.UTF_8),
                mediaType(op), refuse, abbreviate(escape(body)))));
        // Bytes that are not UTF-8 inside a JSON string, and a NUL byte.
        cases.add(bytesCase(op, "structure", new byte[] {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xC3, 0x28,
                '"', '}'}, mediaType(op), strict, "invalid UTF-8 in a string"));
        cases.add(bytesCase(op, "structure", new byte[] {(byte) 0xFF, (byte) 0xFE, 0, 0, '{', '}'}, mediaType(op),
                strict, "binary junk"));
        for (Field field : fields(base, schemaOf(op))) {
            cases.add(bodyCase(op, "structure", without(base, field.path()), false, "without " + field.name()));
            cases.add(bodyCase(op, "structure", with(base, field.path(), NullNode.getInstance()), false,
                    field.name() + " = null"));
        }
        return cases;
    }

    private List<Case> contentTypes(Operation op) {
        List<Case> cases = new ArrayList<>();
        if (op.body() == null) {
            return cases;
        }
        byte[] body = bytes(op, baselineBody(op));
        for (String type : new String[] {"text/plain", "application/xml", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x", null, "not a media type", "application/json; charset=ISO-8859-1",
                "application/json; charset=nonsense", "application/problem+json", "*/*", "application/octet-stream"}) {
            cases.add(bytesCase(op, "content-type", body, type, false, "Content-Type: " + type));
        }
        return cases;
    }

    private List<Case> pathJunk(Operation op) {
        List<Case> cases = new ArrayList<>();
        List<String> junk = List.of("%00", "%01", "abc%00def", "%0a", "%0d%0a", "%7f", "%c2%85", "%ff", "%c3%28",
                "%ed%a0%80", "a".repeat(3_000), "%20", "%2e%2e", "..%2f..%2finternal", "%2f", "'%20OR%20'1'%3D'1",
                "null", "-1", "0", "%f0%9f%98%80", "%e2%80%ae", "%zz", "%", "x%4", "%u0000", "dep_" + "0".repeat(26),
                "%5c..%5c");
        for (Parameter parameter : op.in("path")) {
            for (String value : junk) {
                if (internal(op) && !validTarget(value)) {
                    continue; // see validTarget
                }
                Map<String, String> path = new LinkedHashMap<>(validPath(op));
                path.put(parameter.name(), value);
                cases.add(bodyCaseAt(op, "path", target(op, path, validQuery(op)), false,
                        "{" + parameter.name() + "} = " + abbreviate(value)));
            }
        }
        return cases;
    }

    private List<Case> queryJunk(Operation op) {
        List<Case> cases = new ArrayList<>();
        List<String> junk = List.of("%00", "%0a", "a%01b", "-1", "0", "abc", "99999999999999999999", "1e9", "",
                "a".repeat(3_000), "%ff", "%zz", "2026-13-45T99:99:99Z", "%20", "null", "1.5", "%2B1");
        for (Parameter parameter : op.in("query")) {
            for (String value : junk) {
                if (internal(op) && !validTarget(value)) {
                    continue;
                }
                Map<String, String> query = new LinkedHashMap<>(validQuery(op));
                query.put(parameter.name(), value);
                cases.add(bodyCaseAt(op, "query", target(op, validPath(op), query), false,
                        parameter.name() + "=" + abbreviate(value)));
            }
            String base = target(op, validPath(op), Map.of());
            cases.add(bodyCaseAt(op, "query", base + "?" + parameter.name() + "=1&" + parameter.name() + "=2", false,
                    parameter.name() + " twice"));
            cases.add(bodyCaseAt(op, "query", base + "?" + parameter.name(), false, parameter.name() + " without a value"));
        }
        String base = target(op, validPath(op), validQuery(op));
        String join = base.contains("?") ? "&" : "?";
        cases.add(bodyCaseAt(op, "query", base + join + "junk=%00", false, "an unknown parameter holding NUL"));
        cases.add(bodyCaseAt(op, "query", base + join + "%00=1", false, "a parameter named NUL"));
        return cases;
    }

    private List<Case> headerJunk(Operation op) {
        List<Case> cases = new ArrayList<>();
        for (Parameter parameter : op.in("header")) {
            if (parameter.name().equalsIgnoreCase("Content-Length")) {
                continue; // RawHttp sets it from the body
            }
            for (String value : List.of("\"x\"", "W/\"x\"", "\"unterminated", "", "x".repeat(5_000), ",,,", "\u00ff")) {
                byte[] body = op.body() == null ? null : bytes(op, baselineBody(op));
                cases.add(new Case("header", op.id(), base(op), request(op, op.method(), target(op, validPath(op),
                        validQuery(op)), mediaType(op), body, false, true, Map.of(parameter.name(), value)), false,
                        parameter.name() + ": " + abbreviate(value)));
            }
        }
        return cases;
    }

    private List<Case> accept(Operation op) {
        List<Case> cases = new ArrayList<>();
        byte[] body = op.body() == null ? null : bytes(op, baselineBody(op));
        for (String accept : List.of("text/html", "application/xml", "image/png", "junk", "application/json;q=0",
                "application/problem+json")) {
            cases.add(new Case("accept", op.id(), base(op), request(op, op.method(), target(op, validPath(op),
                    validQuery(op)), mediaType(op), body, false, true, Map.of("Accept", accept)), false,
                    "Accept: " + accept));
        }
        return cases;
    }

    private List<Case> otherMethods(Operation op, Set<String> declared) {
        List<Case> cases = new ArrayList<>();
        for (String method : METHODS) {
            if (declared.contains(method)) {
                continue;
            }
            byte[] body = method.equals("GET") || method.equals("DELETE") ? null : "{}".getBytes(StandardCharsets.UTF_8);
            cases.add(new Case("method", op.id(), base(op), request(op, method, target(op, validPath(op), validQuery(op)),
                    "application/json", body, false, true, Map.of()), true, method + " " + op.path()));
        }
        return cases;
    }

    // ---- requests ----

    private Case bodyCase(Operation op, String category, JsonNode body, boolean mustRefuse, String what) {
        return new Case(category, op.id(), base(op), request(op, op.method(), target(op, validPath(op), validQuery(op)),
                mediaType(op), op.body() == null ? null : bytes(op, body), false, true, Map.of()),
                mustRefuse && op.body() != null, what);
    }

    /**
     * The Content-Type a valid request has: the document's, except for the webhooks, which take the raw bytes
     * ({@code application/octet-stream} in the document) of a JSON delivery.
     */
    private String mediaType(Operation op) {
        return fixtures.examples().containsKey(op.id()) ? "application/json" : op.bodyMediaType();
    }

    private Case bodyCaseAt(Operation op, String category, String target, boolean mustRefuse, String what) {
        byte[] body = op.body() == null ? null : bytes(op, baselineBody(op));
        return new Case(category, op.id(), base(op), request(op, op.method(), target, mediaType(op), body, false,
                true, Map.of()), mustRefuse, what);
    }

    private Case bytesCase(Operation op, String category, byte[] body, String contentType, boolean mustRefuse,
            String what) {
        return new Case(category, op.id(), base(op), request(op, op.method(), target(op, validPath(op), validQuery(op)),
                contentType, body, false, true, Map.of()), mustRefuse, what);
    }

    private Case raw(Operation op, String category, String method, String target, Map<String, String> headers,
            byte[] body, boolean mustRefuse, String what) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        if (op.path().startsWith("/webhooks/") && body != null) {
            // Unsigned: only the signature is missing.
            all.put("X-GitHub-Event", "push");
            all.put("X-Gitlab-Event", "Push Hook");
        }
        return new Case(category, op.id(), base(op), new RawHttp.Request(method, target, all, body, false), mustRefuse,
                what);
    }

    private RawHttp.Request request(Operation op, String method, String target, String contentType, byte[] body,
            boolean chunked, boolean authenticated, Map<String, String> extra) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (authenticated) {
            if (op.path().startsWith("/v2/")) {
                headers.put("Authorization", "Bearer " + fixtures.apiKey());
            } else if (op.path().startsWith("/agent/")) {
                headers.put("Authorization", "Bearer " + fixtures.agentToken());
            } else if (internal(op)) {
                headers.put("X-Benchline-Internal-Token", fixtures.internalToken());
            } else if (op.path().startsWith("/webhooks/")) {
                headers.putAll(fixtures.sign().apply(op, body == null ? new byte[0] : body));
            }
        }
        if (contentType != null && body != null) {
            headers.put("Content-Type", contentType);
        }
        headers.putAll(extra);
        return new RawHttp.Request(method, target, headers, body, chunked);
    }

    private URI base(Operation op) {
        return internal(op) ? fixtures.services().get(op.service()) : fixtures.gateway();
    }

    private String target(Operation op, Map<String, String> path, Map<String, String> query) {
        String target = op.path();
        for (Map.Entry<String, String> p : path.entrySet()) {
            target = target.replace("{" + p.getKey() + "}", p.getValue());
        }
        if (!query.isEmpty()) {
            target += "?" + query.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining("&"));
        }
        return target;
    }

    /** Path parameters naming records that exist (an API key the fuzz may revoke, never the one it uses). */
    private Map<String, String> validPath(Operation op) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Parameter p : op.in("path")) {
            String key = switch (p.name()) {
                case "id" -> op.path().startsWith("/v2/api-keys") ? "api_key_id"
                        : op.path().startsWith("/v2/procedures") ? "procedure_id"
                        : op.path().startsWith("/v2/stations") ? "station_id" : "deployment_id";
                default -> p.name();
            };
            values.put(p.name(), fixtures.ids().getOrDefault(key, "x"));
        }
        return values;
    }

    private Map<String, String> validQuery(Operation op) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Parameter p : op.in("query")) {
            String value = switch (p.name()) {
                case "limit" -> "10";
                case "procedure_id" -> fixtures.ids().get("procedure_id");
                case "status" -> "ready";
                case "environment" -> "production";
                case "after" -> "0";
                case "wait" -> "0";
                case "ttl" -> "60";
                case "unless_uploaded_after" -> Instant.now().toString();
                default -> null;
            };
            if (value != null) {
                values.put(p.name(), value);
            }
        }
        return values;
    }

    // ---- bodies ----

    private Schema schemaOf(Operation op) {
        byte[] example = fixtures.examples().get(op.id());
        if (example != null) {
            return fromExample(readTree(example));
        }
        return op.body();
    }

    private JsonNode baselineBody(Operation op) {
        byte[] example = fixtures.examples().get(op.id());
        if (example != null) {
            return readTree(example);
        }
        return op.body() == null ? null : valid("body", op.body());
    }

    private byte[] bytes(Operation op, JsonNode body) {
        return body == null ? new byte[0] : json(body).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] hugeBody(Operation op, int size) {
        byte[] body = new byte[size];
        java.util.Arrays.fill(body, (byte) 'x');
        byte[] head = "{\"name\":\"".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, body, 0, head.length);
        body[size - 2] = '"';
        body[size - 1] = '}';
        return body;
    }

    /** A value the API accepts for a field of this name, so that the other fields' checks are reached. */
    private JsonNode valid(String name, Schema schema) {
        Map<String, String> ids = fixtures.ids();
        Function<String, JsonNode> text = TextNode::valueOf;
        switch (name) {
            case "procedure_id": return text.apply(ids.get("procedure_id"));
            case "deployment_id": return text.apply(ids.get("deployment_id"));
            case "station_ids": return NODES.arrayNode().add(ids.get("station_id"));
            case "run_id": return text.apply("run-fuzz-" + (++serial));
            case "run_request_id": return NullNode.getInstance();
            case "environment": return text.apply("production");
            case "branch", "production_branch": return text.apply("main");
            case "commit_sha": return text.apply(HexFormat.of().formatHex(randomBytes(20)));
            case "provider": return text.apply("github");
            case "clone_url": return text.apply("https://github.com/acme/fuzz-" + (++serial) + ".git");
            case "full_name": return text.apply("acme/fuzz-" + (++serial));
            case "role": return text.apply("viewer");
            case "phase": return text.apply("started");
            case "outcome": return NullNode.getInstance();
            case "note": return text.apply("fuzz note " + (++serial));
            case "name": return text.apply("fuzz-" + (++serial));
            case "api_key": return text.apply(fixtures.apiKey());
            case "org_id": return text.apply(ids.getOrDefault("org_id", "org_fuzz"));
            case "status": return text.apply("ready");
            case "excluded_branches": return NODES.arrayNode().add("wip/*");
            default: break;
        }
        if (schema == null || schema.type() == null) {
            return text.apply("fuzz");
        }
        switch (schema.type()) {
            case "object": {
                ObjectNode object = NODES.objectNode();
                schema.properties().forEach((field, s) -> object.set(field, valid(field, s)));
                return object;
            }
            case "array": return NODES.arrayNode().add(valid("item", schema.items()));
            case "integer": return LongNode.valueOf(name.endsWith("version") || name.equals("sequence") ? 1 : 5);
            case "number": return DoubleNode.valueOf(1.5);
            case "boolean": return BooleanNode.TRUE;
            default:
                return "date-time".equals(schema.format()) ? text.apply(Instant.now().toString()) : text.apply("fuzz");
        }
    }

    /** Values of another JSON type than the schema's (a date-time also refuses numbers and non-dates). */
    private static List<JsonNode> wrongValues(Schema schema) {
        ObjectNode object = NODES.objectNode();
        ArrayNode array = NODES.arrayNode().add("x");
        String type = schema.type() == null ? "string" : schema.type();
        return switch (type) {
            case "string" -> "date-time".equals(schema.format())
                    ? List.of(IntNode.valueOf(1_700_000_000), DoubleNode.valueOf(1.7e9), TextNode.valueOf("yesterday"),
                            TextNode.valueOf(""), BooleanNode.TRUE, object)
                    : List.of(IntNode.valueOf(5), DoubleNode.valueOf(1.5), BooleanNode.TRUE, BooleanNode.FALSE, object,
                            array);
            case "integer" -> List.of(TextNode.valueOf("3"), DoubleNode.valueOf(1.5), DoubleNode.valueOf(1.0),
                    BooleanNode.TRUE, TextNode.valueOf(""), TextNode.valueOf(" "), object, NODES.arrayNode().add(1));
            case "number" -> List.of(TextNode.valueOf("1.5"), BooleanNode.TRUE, object, NODES.arrayNode().add(1));
            case "boolean" -> List.of(TextNode.valueOf(" "), TextNode.valueOf("true"), TextNode.valueOf("false"),
                    TextNode.valueOf(""), IntNode.valueOf(1), IntNode.valueOf(0), object, NODES.arrayNode().add(true));
            case "array" -> List.of(object, TextNode.valueOf("x"), IntNode.valueOf(5), BooleanNode.TRUE,
                    NODES.arrayNode().add(schema.items() != null && "string".equals(schema.items().type())
                            ? IntNode.valueOf(5) : TextNode.valueOf("x")));
            default -> List.of(NODES.arrayNode(), TextNode.valueOf("x"), IntNode.valueOf(5), BooleanNode.TRUE);
        };
    }

    private record Field(String name, List<Object> path, Schema schema) {
    }

    /** Every field of the body with its schema, nested objects and the first item of arrays included. */
    private static List<Field> fields(JsonNode body, Schema schema) {
        List<Field> fields = new ArrayList<>();
        if (body != null && schema != null) {
            collect(body, schema, new ArrayList<>(), "", fields);
        }
        return fields;
    }

    private static void collect(JsonNode node, Schema schema, List<Object> path, String name, List<Field> out) {
        if (schema.isObject() && node instanceof ObjectNode object) {
            schema.properties().forEach((field, s) -> {
                List<Object> child = new ArrayList<>(path);
                child.add(field);
                String childName = name.isEmpty() ? field : name + "." + field;
                out.add(new Field(childName, child, s));
                JsonNode value = object.get(field);
                if (value != null && s.properties() != null) {
                    collect(value, s, child, childName, out);
                }
            });
        } else if ("array".equals(schema.type()) && node instanceof ArrayNode array && !array.isEmpty()
                && schema.items() != null) {
            List<Object> child = new ArrayList<>(path);
            child.add(0);
            out.add(new Field(name + "[0]", child, schema.items()));
            collect(array.get(0), schema.items(), child, name + "[0]", out);
        }
    }

    /** A schema read off a valid example (a webhook payload), to the depth fields are mutated at. */
    private static Schema fromExample(JsonNode node) {
        if (node.isObject()) {
            Map<String, Schema> properties = new LinkedHashMap<>();
            node.fields().forEachRemaining(e -> properties.put(e.getKey(), fromExample(e.getValue())));
            return new Schema("object", null, properties, null);
        }
        if (node.isArray()) {
            return new Schema("array", null, Map.of(), node.isEmpty() ? null : fromExample(node.get(0)));
        }
        String type = node.isTextual() ? "string" : node.isIntegralNumber() ? "integer" : node.isNumber() ? "number"
                : node.isBoolean() ? "boolean" : null;
        return new Schema(type, null, Map.of(), null);
    }

    private static JsonNode with(JsonNode base, List<Object> path, JsonNode value) {
        JsonNode copy = base.deepCopy();
        JsonNode parent = copy;
        for (int i = 0; i < path.size() - 1; i++) {
            parent = path.get(i) instanceof Integer index ? parent.get(index) : parent.get((String) path.get(i));
        }
        Object last = path.get(path.size() - 1);
        if (parent instanceof ObjectNode object) {
            object.set((String) last, value);
        } else if (parent instanceof ArrayNode array) {
            array.set((Integer) last, value);
        }
        return copy;
    }

    private static JsonNode without(JsonNode base, List<Object> path) {
        JsonNode copy = base.deepCopy();
        JsonNode parent = copy;
        for (int i = 0; i < path.size() - 1; i++) {
            parent = path.get(i) instanceof Integer index ? parent.get(index) : parent.get((String) path.get(i));
        }
        Object last = path.get(path.size() - 1);
        if (parent instanceof ObjectNode object) {
            object.remove((String) last);
        } else if (parent instanceof ArrayNode array) {
            array.remove((Integer) last);
        }
        return copy;
    }

    private byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    private static JsonNode readTree(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String json(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || Character.isSurrogate(c) || c == 0x202e || c == 0xfeff) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 60) + "…(" + s.length() + " chars)" : s;
    }
}
