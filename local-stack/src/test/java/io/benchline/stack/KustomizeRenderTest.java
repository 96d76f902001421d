package io.benchline.stack;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Renders deploy/kubernetes with {@code kubectl kustomize} (offline; no cluster) when kubectl is on the PATH, and reads
 * the output with the same strict reader as {@link KubernetesManifestsTest}: the kustomizations are valid, the base
 * renders to exactly its files, and the example overlay changes only what an installation sets. Skipped without
 * kubectl: the base's checks do not need it.
 */
class KustomizeRenderTest {
    private static Path kubernetes;
    private static Optional<Path> kubectl;

    @BeforeAll
    static void find() {
        kubernetes = StackLayout.detect().root().resolve("deploy/kubernetes");
        kubectl = onPath("kubectl");
    }

    @Test
    void theBaseRendersToExactlyItsFiles() throws Exception {
        List<JsonNode> rendered = KubernetesManifests.documents(render("base"), "kubectl kustomize base");
        List<JsonNode> files = new ArrayList<>();
        for (Path file : KubernetesManifestsTest.kustomizationResources(kubernetes.resolve("base"))) {
            files.addAll(KubernetesManifests.documents(Files.readString(file), file.toString()));
        }
        assertThat(rendered).containsExactlyInAnyOrderElementsOf(files);
    }

    @Test
    void theExampleOverlayChangesOnlyWhatAnInstallationSets() throws Exception {
        Path baseFolder = kubernetes.resolve("base");
        KubernetesManifests base = KubernetesManifests.readFiles(KubernetesManifestsTest.kustomizationResources(baseFolder));
        KubernetesManifests overlay = KubernetesManifests.read(render("overlays/example"), "kubectl kustomize overlays/example");

        assertThat(overlay.scaledObjects).hasSameSizeAs(base.scaledObjects);
        for (HasMetadata resource : overlay.resources) {
            if (!(resource instanceof Namespace)) {
                assertThat(resource.getMetadata().getNamespace()).as(resource.getMetadata().getName()).isEqualTo("benchline");
            }
        }
        for (Deployment deployment : base.all(Deployment.class)) {
            String name = deployment.getMetadata().getName();
            Container before = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
            Container after = overlay.get(Deployment.class, name).getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(after.getImage()).isEqualTo("registry.example.com/" + before.getImage() + ":0.1.0");
            after.setImage(before.getImage());
            assertThat(after).as("%s apart from its image", name).isEqualTo(before);
        }
        ConfigMap config = overlay.get(ConfigMap.class, KubernetesManifestsTest.CONFIG_MAP);
        assertThat(config.getData().keySet())
                .isEqualTo(base.get(ConfigMap.class, KubernetesManifestsTest.CONFIG_MAP).getData().keySet());
        assertThat(config.getData().get("public-url")).isEqualTo("https://benchline.factory.example");
        Ingress ingress = overlay.get(Ingress.class, LocalStack.GATEWAY);
        assertThat(ingress.getSpec().getRules()).singleElement()
                .satisfies(rule -> assertThat(rule.getHost()).isEqualTo("benchline.factory.example"));
        assertThat(ingress.getSpec().getTls()).singleElement()
                .satisfies(tls -> assertThat(tls.getHosts()).containsExactly("benchline.factory.example"));
        assertThat(ingress.getMetadata().getAnnotations())
                .isEqualTo(base.get(Ingress.class, LocalStack.GATEWAY).getMetadata().getAnnotations());
    }

    private static String render(String folder) throws IOException, InterruptedException {
        assumeTrue(kubectl.isPresent(), "kubectl is not on the PATH");
        Process process = new ProcessBuilder(kubectl.get().toString(), "kustomize", kubernetes.resolve(folder).toString())
                .redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kubectl kustomize %s finished", folder).isTrue();
        String text = new String(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("kubectl kustomize %s: %s", folder, text).isZero();
        return text;
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
