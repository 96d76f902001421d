package io.benchline.e2e.fuzz;

import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The operations of a service's checked-in OpenAPI document ({@code <service>/openapi/openapi.yaml}), with their
 * parameters and request body schemas resolved. SmallRye OpenAPI writes property names as the Java components are
 * named (camelCase); on the wire they are snake_case (Jackson's SNAKE_CASE), so names are converted here.
 */
public final class OpenApi {
    private OpenApi() {
    }

    public record Operation(String service, String method, String path, List<Parameter> parameters,
            String bodyMediaType, Schema body) {
        public String id() {
            return method + " " + path;
        }

        public List<Parameter> in(String where) {
            return parameters.stream().filter(p -> p.in().equals(where)).toList();
        }

        public boolean jsonBody() {
            return body != null && bodyMediaType.equals("application/json");
        }
    }

    public record Parameter(String name, String in, Schema schema) {
    }

    /** A schema: type object (properties), array (items), string (format), integer, number or boolean. */
    public record Schema(String type, String format, Map<String, Schema> properties, Schema items) {
        public boolean isObject() {
            return "object".equals(type);
        }
    }

    public static List<Operation> read(Path root, String service) {
        Path file = root.resolve(service).resolve("openapi/openapi.yaml");
        Map<String, Object> doc;
        try {
            doc = new Yaml().load(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> schemas = map(map(doc.get("components")).get("schemas"));
        List<Operation> operations = new ArrayList<>();
        map(doc.get("paths")).forEach((path, item) -> map(item).forEach((method, op) -> {
            Map<String, Object> operation = map(op);
            List<Parameter> parameters = new ArrayList<>();
            for (Object p : list(operation.get("parameters"))) {
                Map<String, Object> parameter = map(p);
                parameters.add(new Parameter((String) parameter.get("name"), (String) parameter.get("in"),
                        schema(parameter.get("schema"), schemas, 0)));
            }
            String mediaType = null;
            Schema body = null;
            Map<String, Object> content = map(map(operation.get("requestBody")).get("content"));
            if (!content.isEmpty()) {
                mediaType = content.containsKey("application/json") ? "application/json" : content.keySet().iterator().next();
                body = schema(map(content.get(mediaType)).get("schema"), schemas, 0);
            }
            operations.add(new Operation(service, method.toUpperCase(Locale.ROOT), path, parameters, mediaType, body));
        }));
        return operations;
    }

    private static Schema schema(Object node, Map<String, Object> schemas, int depth) {
        Map<String, Object> s = map(node);
        if (s.containsKey("$ref")) {
            String ref = (String) s.get("$ref");
            return depth > 8 ? new Schema("object", null, Map.of(), null)
                    : schema(schemas.get(ref.substring(ref.lastIndexOf('/') + 1)), schemas, depth + 1);
        }
        String type = s.get("type") instanceof String t ? t : s.containsKey("properties") ? "object" : null;
        Map<String, Schema> properties = new LinkedHashMap<>();
        map(s.get("properties")).forEach((name, p) -> properties.put(snakeCase(name), schema(p, schemas, depth + 1)));
        Schema items = s.containsKey("items") ? schema(s.get("items"), schemas, depth + 1) : null;
        return new Schema(type, (String) s.get("format"), properties, items);
    }

    /** Jackson's SNAKE_CASE: an underscore before each upper-case letter, all lower case. */
    static String snakeCase(String name) {
        StringBuilder out = new StringBuilder();
        for (char c : name.toCharArray()) {
            if (Character.isUpperCase(c)) {
                if (!out.isEmpty()) {
                    out.append('_');
                }
                out.append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static List<?> list(Object o) {
        return o instanceof List<?> l ? l : List.of();
    }
}
