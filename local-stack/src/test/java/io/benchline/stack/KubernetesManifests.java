package io.benchline.stack;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Kubernetes manifests read into the Kubernetes API model (fabric8), strictly: a field the API does not have, or a
 * value of the wrong type, is an error naming it, where the API server would refuse it or silently drop it. KEDA
 * ScaledObjects, a custom resource the model does not know, are checked against {@code keda-scaledobject.schema.json}.
 */
final class KubernetesManifests {
    /** The kinds the manifests may contain, by apiVersion and kind; anything else fails the read. */
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "v1/ConfigMap", ConfigMap.class,
            "v1/Service", Service.class,
            "v1/Namespace", Namespace.class,
            "apps/v1/Deployment", Deployment.class,
            "batch/v1/Job", Job.class,
            "networking.k8s.io/v1/Ingress", Ingress.class);
    static final String SCALED_OBJECT = "keda.sh/v1alpha1/ScaledObject";

    /**
     * fabric8's model classes keep unknown fields in an "additional properties" map (its own deserializer is lenient
     * on purpose); without that any-setter, Jackson fails on them, naming the field and the path.
     */
    static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .addModule(new SimpleModule("strict-kubernetes-model").setDeserializerModifier(new BeanDeserializerModifier() {
                @Override
                public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription description,
                        BeanDeserializerBuilder builder) {
                    builder.setAnySetter(null);
                    return builder;
                }
            }))
            .build();
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final JsonSchema SCALED_OBJECT_SCHEMA = scaledObjectSchema();

    final List<HasMetadata> resources = new ArrayList<>();
    final List<JsonNode> scaledObjects = new ArrayList<>();

    /** Every document of {@code yaml}, in order; {@code source} names it in errors. */
    static List<JsonNode> documents(String yaml, String source) {
        try (var parser = new YAMLFactory().createParser(yaml)) {
            List<JsonNode> documents = new ArrayList<>();
            for (JsonNode node : YAML.readValues(parser, JsonNode.class).readAll()) {
                if (node != null && !node.isNull() && !node.isEmpty()) {
                    documents.add(node);
                }
            }
            return documents;
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": not YAML: " + e.getMessage(), e);
        }
    }

    static KubernetesManifests readFiles(List<Path> files) {
        KubernetesManifests manifests = new KubernetesManifests();
        for (Path file : files) {
            try {
                manifests.add(Files.readString(file), file.toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return manifests;
    }

    static KubernetesManifests read(String yaml, String source) {
        KubernetesManifests manifests = new KubernetesManifests();
        manifests.add(yaml, source);
        return manifests;
    }

    private void add(String yaml, String source) {
        for (JsonNode document : documents(yaml, source)) {
            String type = document.path("apiVersion").asText() + "/" + document.path("kind").asText();
            String where = source + ": " + type + " " + document.path("metadata").path("name").asText();
            if (type.equals(SCALED_OBJECT)) {
                Set<ValidationMessage> problems = SCALED_OBJECT_SCHEMA.validate(document);
                if (!problems.isEmpty()) {
                    throw new IllegalArgumentException(where + " does not match KEDA's ScaledObject: " + problems);
                }
                scaledObjects.add(document);
                continue;
            }
            Class<? extends HasMetadata> kind = KINDS.get(type);
            if (kind == null) {
                throw new IllegalArgumentException(where + ": a kind these manifests do not use (" + KINDS.keySet()
                        + ", " + SCALED_OBJECT + ")");
            }
            resources.add(strict(document, kind, where));
        }
    }

    static <T> T strict(JsonNode document, Class<T> type, String where) {
        try {
            return STRICT.treeToValue(document, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(where + " is not a valid " + type.getSimpleName() + ": "
                    + e.getOriginalMessage() + " at " + path(e), e);
        }
    }

    private static String path(com.fasterxml.jackson.core.JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException mapping) {
            return mapping.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining("."));
        }
        return "?";
    }

    <T extends HasMetadata> List<T> all(Class<T> kind) {
        return resources.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    <T extends HasMetadata> Optional<T> find(Class<T> kind, String name) {
        return all(kind).stream().filter(r -> r.getMetadata().getName().equals(name)).findFirst();
    }

    <T extends HasMetadata> T get(Class<T> kind, String name) {
        return find(kind, name).orElseThrow(() -> new AssertionError("no " + kind.getSimpleName() + " " + name));
    }

    private static JsonSchema scaledObjectSchema() {
        try (InputStream in = KubernetesManifests.class.getResourceAsStream("/kubernetes/keda-scaledobject.schema.json")) {
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
