package io.benchline.stack;

import com.fasterxml.jackson.databind.JsonNode;
import io.benchline.events.Topics;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * No cluster runs here, so this holds deploy/kubernetes/base, the files {@code kubectl apply -k} sends, to the rest of
 * the repository: every document is read strictly into the Kubernetes API model (a misspelled or mistyped field
 * fails), every service and the gateway has a Deployment whose probes, port, resources and environment match what
 * the service is (the variables {@link ServiceEnvironment} requires and docker-compose.yml sets, each secret from
 * the Secret, never a literal), only the gateway is reachable from outside, the topics Job creates {@link Topics#ALL}
 * and their dead-letter topics, and KEDA scales build-worker and station-dispatcher on the lag of the consumer
 * groups their application.properties declare.
 */
class KubernetesManifestsTest {
    static final String CONFIG_MAP = "benchline-config";
    static final String SECRET = "benchline-secrets";
    /** The keys of the Secret benchline-secrets, as deploy/kubernetes/README.md lists them. */
    static final Set<String> SECRET_KEYS = secretKeys();
    /** Keys that may be absent from the Secret: the service runs without them (a bootstrap key, a generated signing key). */
    static final Set<String> OPTIONAL_SECRET_KEYS = Set.of("bootstrap-api-key", "signing-private-key");
    /**
     * Variables the manifests set beyond docker-compose.yml's: the database address the URLs are built from, the
     * bucket and the optional signing key.
     */
    static final Set<String> KUBERNETES_ONLY = Set.of("DATABASE_ADDRESS", "BENCHLINE_S3_BUCKET",
            "BENCHLINE_SIGNING_PRIVATE_KEY", "QUARKUS_OTEL_SDK_DISABLED", "QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    /** Variable names that hold secrets: they come from the Secret, never from a literal or the ConfigMap. */
    static final Pattern SECRET_NAME = Pattern.compile(".*(TOKEN|PASSWORD|USERNAME|SECRET|_KEY)$");
    static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
    static final int CONTAINER_PORT = 8080;
    /** Services KEDA scales on consumer-group lag, with the incoming channel it watches. */
    static final Map<String, String> SCALED = Map.of("build-worker", "build-requested",
            "station-dispatcher", "deployment-events");

    private static Path root;
    private static Path base;
    private static KubernetesManifests manifests;

    @BeforeAll
    static void read() throws IOException {
        root = StackLayout.detect().root();
        base = root.resolve("deploy/kubernetes/base");
        manifests = KubernetesManifests.readFiles(kustomizationResources(base));
    }

    @Test
    void theKustomizationListsEveryFileOfTheBaseAndNothingElse() throws IOException {
        Set<String> files = new TreeSet<>();
        try (Stream<Path> listing = Files.list(base)) {
            listing.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml") || n.endsWith(".yml"))
                    .filter(n -> !n.equals("kustomization.yaml")).forEach(files::add);
        }
        assertThat(kustomizationResources(base).stream().map(p -> p.getFileName().toString()))
                .containsExactlyInAnyOrderElementsOf(files);
    }

    @Test
    void aMisspelledOrMistypedFieldFailsTheRead() {
        String deployment = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: { name: x }
                spec:
                  template:
                    spec:
                      containers:
                        - name: x
                          %s
                """;
        assertThat(KubernetesManifests.read(deployment.formatted("image: x"), "ok").all(Deployment.class)).hasSize(1);
        assertThatThrownBy(() -> KubernetesManifests.read(deployment.formatted("readinesProbe: {}"), "typo"))
                .hasMessageContaining("readinesProbe").hasMessageContaining("spec.template.spec.containers.[0]");
        assertThatThrownBy(() -> KubernetesManifests.read(deployment.formatted("ports: [{containerPort: \"80\"}]"),
                "string for an integer")).hasMessageContaining("containerPort");
        assertThatThrownBy(() -> KubernetesManifests.read("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n", "secret"))
                .hasMessageContaining("a kind these manifests do not use");
        assertThatThrownBy(() -> KubernetesManifests.read("""
                apiVersion: keda.sh/v1alpha1
                kind: ScaledObject
                metadata: { name: x }
                spec:
                  scaleTargetRef: { name: x }
                  triggers:
                    - type: kafka
                      metadata: { bootstrapServers: k, consumerGroup: g, topic: t, lagTreshold: "5" }
                """, "keda typo")).hasMessageContaining("lagTreshold");
    }

    @Test
    void everyServiceAndTheGatewayRunsAsADeploymentOfItsImage() {
        for (String service : withGateway()) {
            Deployment deployment = manifests.get(Deployment.class, service);
            Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata().getLabels();
            assertThat(deployment.getSpec().getSelector().getMatchLabels()).as(service).isNotEmpty()
                    .allSatisfy((key, value) -> assertThat(labels).containsEntry(key, value));
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            assertThat(pod.getContainers()).as(service).hasSize(1);
            assertThat(pod.getAutomountServiceAccountToken()).as("%s does not talk to the API server", service)
                    .isFalse();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(service).isTrue();
            Container container = container(service);
            assertThat(container.getName()).isEqualTo(service);
            assertThat(container.getImage()).isEqualTo("benchline/" + service);
            assertThat(root.resolve(service).resolve("src/main/docker/Dockerfile.jvm")).as("the image's Dockerfile")
                    .exists();
            assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).as(service).isFalse();
        }
    }

    @Test
    void everyContainerListensWhereItsPortAndProbesSay() {
        for (String service : withGateway()) {
            Container container = container(service);
            assertThat(container.getPorts()).as(service).singleElement().satisfies(port -> {
                assertThat(port.getName()).isEqualTo("http");
                assertThat(port.getContainerPort()).isEqualTo(CONTAINER_PORT);
            });
            // The services' own default ports are 8081-8085; the container must be told 8080, or the probes and
            // every peer URL would knock on a closed port.
            String listens = literal(container, "QUARKUS_HTTP_PORT")
                    .orElseGet(() -> properties(service).getProperty("quarkus.http.port"));
            assertThat(listens).as("the port %s listens on", service).isEqualTo(Integer.toString(CONTAINER_PORT));

            assertProbe(service, "liveness", container.getLivenessProbe(), "/q/health/live");
            assertProbe(service, "readiness", container.getReadinessProbe(), "/q/health/ready");
            assertProbe(service, "startup", container.getStartupProbe(), "/q/health/live");
            assertThat(container.getStartupProbe().getFailureThreshold() * container.getStartupProbe().getPeriodSeconds())
                    .as("%s has time to migrate its database and join its groups", service).isGreaterThanOrEqualTo(120);
        }
    }

    @Test
    void everyContainerHasRequestsAndLimits() {
        List<Container> containers = new ArrayList<>();
        withGateway().forEach(service -> containers.add(container(service)));
        manifests.all(Job.class).forEach(job -> containers.addAll(job.getSpec().getTemplate().getSpec().getContainers()));
        for (Container container : containers) {
            ResourceRequirements resources = container.getResources();
            for (String resource : List.of("cpu", "memory")) {
                Quantity request = resources.getRequests().get(resource);
                Quantity limit = resources.getLimits().get(resource);
                assertThat(request).as("%s request of %s", resource, container.getName()).isNotNull();
                assertThat(limit).as("%s limit of %s", resource, container.getName()).isNotNull();
                BigDecimal requested = request.getNumericalAmount();
                assertThat(requested).as("%s request of %s", resource, container.getName()).isPositive();
                assertThat(limit.getNumericalAmount()).as("%s limit of %s", resource, container.getName())
                        .isGreaterThanOrEqualTo(requested);
            }
        }
    }

    @Test
    void everyServiceGetsTheVariablesItNeedsAndTheSameAsInDockerCompose() throws IOException {
        Map<String, Map<String, Object>> compose = composeEnvironments();
        for (String service : withGateway()) {
            Set<String> names = new LinkedHashSet<>();
            container(service).getEnv().forEach(env -> assertThat(names.add(env.getName()))
                    .as("%s is set once in %s", env.getName(), service).isTrue());
            assertThat(names).as("variables of %s (ServiceEnvironment)", service)
                    .containsAll(ServiceEnvironment.required(service));
            Set<String> composed = compose.get(service).keySet();
            assertThat(names).as("variables of %s, as docker-compose.yml sets them", service).containsAll(composed);
            Set<String> extra = new TreeSet<>(names);
            extra.removeAll(composed);
            assertThat(extra).as("variables of %s that docker-compose.yml does not set", service)
                    .isSubsetOf(KUBERNETES_ONLY);
        }
    }

    @Test
    void everyValueComesFromTheConfigMapTheSecretOrAnEarlierVariable() {
        ConfigMap config = manifests.get(ConfigMap.class, CONFIG_MAP);
        assertThat(config.getData().keySet()).as("the ConfigMap holds no secret")
                .noneMatch(key -> key.matches(".*(password|token|secret|access-key|private-key|api-key).*"));
        Set<String> secretKeysUsed = new HashSet<>();
        for (Container container : allContainers()) {
            String who = container.getName();
            assertThat(container.getEnvFrom()).as("%s names each variable (no envFrom)", who).isNullOrEmpty();
            Set<String> defined = new HashSet<>();
            for (EnvVar env : container.getEnv()) {
                String name = env.getName();
                assertThat(env.getValue() == null ^ env.getValueFrom() == null)
                        .as("%s of %s has a value or a valueFrom", name, who).isTrue();
                if (env.getValue() != null) {
                    assertThat(SECRET_NAME.matcher(name).matches()).as("%s of %s is a secret: never a literal", name, who)
                            .isFalse();
                    Matcher reference = REFERENCE.matcher(env.getValue());
                    while (reference.find()) {
                        // Kubernetes expands $(NAME) only for variables defined earlier in the list.
                        assertThat(defined).as("%s of %s refers to $(%s)", name, who, reference.group(1))
                                .contains(reference.group(1));
                    }
                } else if (env.getValueFrom().getSecretKeyRef() != null) {
                    var ref = env.getValueFrom().getSecretKeyRef();
                    assertThat(ref.getName()).as("%s of %s", name, who).isEqualTo(SECRET);
                    assertThat(SECRET_KEYS).as("%s of %s: a key of %s", name, who, SECRET).contains(ref.getKey());
                    assertThat(Boolean.TRUE.equals(ref.getOptional())).as("%s of %s optional", name, who)
                            .isEqualTo(OPTIONAL_SECRET_KEYS.contains(ref.getKey()));
                    secretKeysUsed.add(ref.getKey());
                } else {
                    var ref = env.getValueFrom().getConfigMapKeyRef();
                    assertThat(ref).as("%s of %s: from the ConfigMap or the Secret", name, who).isNotNull();
                    assertThat(ref.getName()).isEqualTo(CONFIG_MAP);
                    assertThat(config.getData()).as("%s of %s", name, who).containsKey(ref.getKey());
                    assertThat(SECRET_NAME.matcher(name).matches()).as("%s of %s is a secret: not from the ConfigMap",
                            name, who).isFalse();
                }
                defined.add(name);
            }
        }
        assertThat(secretKeysUsed).as("every documented key of %s is used", SECRET)
                .containsExactlyInAnyOrderElementsOf(SECRET_KEYS);
    }

    @Test
    void servicesAgreeOnPeersDatabasesAndTheSharedSecret() {
        for (String service : ComposeFileTest.platformServices()) {
            Container container = container(service);
            assertThat(secretKey(container, "BENCHLINE_AUTH_INTERNAL_TOKEN")).as(service).isEqualTo("internal-token");
            assertThat(configKey(container, "KAFKA_BOOTSTRAP_SERVERS")).as(service).isEqualTo("kafka-bootstrap-servers");
            assertThat(configKey(container, "BENCHLINE_PUBLIC_URL")).as(service).isEqualTo("public-url");
            for (EnvVar env : container.getEnv()) {
                String name = env.getName();
                if (name.endsWith("DEPLOYMENT_URL") || name.endsWith("DEPLOYMENT_SERVICE_URL")) {
                    assertPeer(service, name, env.getValue(), "deployment-service");
                } else if (name.endsWith("ARTIFACT_URL")) {
                    assertPeer(service, name, env.getValue(), "artifact-store");
                } else if (name.endsWith("DISPATCHER_URL")) {
                    assertPeer(service, name, env.getValue(), "station-dispatcher");
                }
            }
            String database = LocalStack.DATABASES.get(service);
            if (database != null) {
                assertThat(literal(container, "QUARKUS_DATASOURCE_JDBC_URL")).as(service)
                        .contains("jdbc:postgresql://$(DATABASE_ADDRESS)/" + database);
                assertThat(literal(container, "QUARKUS_DATASOURCE_REACTIVE_URL")).as(service)
                        .contains("postgresql://$(DATABASE_ADDRESS)/" + database);
                // Its own credentials: no service can read another's database.
                assertThat(secretKey(container, "QUARKUS_DATASOURCE_USERNAME")).isEqualTo(service + "-database-username");
                assertThat(secretKey(container, "QUARKUS_DATASOURCE_PASSWORD")).isEqualTo(service + "-database-password");
            }
            Set<String> names = names(container);
            assertThat(names).as("%s keeps the safe clone URL policy", service)
                    .doesNotContainAnyElementsOf(ServiceEnvironment.LOCAL_REPOSITORIES.keySet());
            if (!service.equals("deployment-service")) {
                assertThat(names).as("only deployment-service holds the secrets key").doesNotContain("BENCHLINE_SECRETS_KEY");
            }
        }
        Container gateway = container(LocalStack.GATEWAY);
        ServiceEnvironment.GATEWAY_UPSTREAMS.forEach((name, service) ->
                assertPeer(LocalStack.GATEWAY, name, literal(gateway, name).orElse(null), service));
    }

    /**
     * The dashboard calls the API through the gateway's Service, with its session secret from the Secret only, and
     * reaches Kafka (its live pages' hints) at the platform's bootstrap address.
     */
    @Test
    void theDashboardCallsTheApiThroughTheGatewayWithItsSecretFromTheSecret() {
        Container dashboard = container(LocalStack.DASHBOARD);
        assertPeer(LocalStack.DASHBOARD, "BENCHLINE_DASHBOARD_API_URL",
                literal(dashboard, "BENCHLINE_DASHBOARD_API_URL").orElse(null), LocalStack.GATEWAY);
        assertThat(secretKey(dashboard, "BENCHLINE_DASHBOARD_SESSION_SECRET")).isEqualTo("dashboard-session-secret");
        assertThat(configKey(dashboard, "BENCHLINE_DASHBOARD_SECURE_COOKIE")).isEqualTo("dashboard-secure-cookie");
        assertThat(manifests.get(ConfigMap.class, CONFIG_MAP).getData().get("dashboard-secure-cookie"))
                .as("the base's public URL is https").isEqualTo("true");
        assertThat(configKey(dashboard, "KAFKA_BOOTSTRAP_SERVERS")).isEqualTo("kafka-bootstrap-servers");
        assertThat(names(dashboard)).doesNotContain("BENCHLINE_AUTH_INTERNAL_TOKEN", "DATABASE_ADDRESS",
                "BENCHLINE_SECRETS_KEY");
    }

    @Test
    void onlyTheGatewayIsReachableFromOutsideAndNeverInternal() throws IOException {
        for (Service service : manifests.all(Service.class)) {
            assertThat(service.getSpec().getType()).as("type of Service %s", service.getMetadata().getName())
                    .isIn(null, "ClusterIP");
        }
        List<Ingress> ingresses = manifests.all(Ingress.class);
        assertThat(ingresses).extracting(i -> i.getMetadata().getName()).containsExactly(LocalStack.GATEWAY);
        Service gatewayService = manifests.get(Service.class, LocalStack.GATEWAY);
        assertThat(gatewayService.getSpec().getSelector())
                .isEqualTo(manifests.get(Deployment.class, LocalStack.GATEWAY).getSpec().getSelector().getMatchLabels());
        Ingress ingress = ingresses.get(0);
        assertThat(ingress.getSpec().getDefaultBackend()).isNull();
        assertThat(ingress.getSpec().getRules()).isNotEmpty();
        for (IngressRule rule : ingress.getSpec().getRules()) {
            assertThat(rule.getHost()).isNotBlank();
            for (HTTPIngressPath path : rule.getHttp().getPaths()) {
                assertThat(path.getBackend().getService().getName()).isEqualTo(LocalStack.GATEWAY);
                String port = path.getBackend().getService().getPort().getName();
                assertThat(gatewayService.getSpec().getPorts()).extracting(ServicePort::getName).contains(port);
                assertThat(path.getPath()).doesNotStartWith("/internal");
                assertThat(path.getPathType()).isIn("Prefix", "Exact");
            }
        }
        // The ingress must let through what the gateway accepts and wait as long as the gateway waits.
        Properties gateway = properties(LocalStack.GATEWAY);
        Map<String, String> annotations = ingress.getMetadata().getAnnotations();
        assertThat(megabytes(annotations.get("nginx.ingress.kubernetes.io/proxy-body-size")))
                .isGreaterThanOrEqualTo(megabytes(gateway.getProperty("benchline.gateway.max-body-size")));
        long responseTimeout = seconds(gateway.getProperty("benchline.gateway.response-timeout"));
        assertThat(Long.parseLong(annotations.get("nginx.ingress.kubernetes.io/proxy-read-timeout")))
                .isGreaterThan(responseTimeout);
        assertThat(Long.parseLong(annotations.get("nginx.ingress.kubernetes.io/proxy-send-timeout")))
                .isGreaterThan(responseTimeout);
    }

    @Test
    void everyServiceHasAServiceOnItsHttpPort() {
        for (String service : withGateway()) {
            Service kube = manifests.get(Service.class, service);
            assertThat(kube.getSpec().getSelector()).as(service)
                    .isEqualTo(manifests.get(Deployment.class, service).getSpec().getSelector().getMatchLabels());
            assertThat(kube.getSpec().getPorts()).as(service).singleElement()
                    .satisfies(port -> assertThat(port.getTargetPort().getStrVal()).isEqualTo("http"));
        }
    }

    @Test
    void aJobCreatesEveryTopicAndItsDeadLetterTopic() throws IOException {
        List<Job> jobs = manifests.all(Job.class);
        assertThat(jobs).hasSize(1);
        PodSpec pod = jobs.get(0).getSpec().getTemplate().getSpec();
        assertThat(pod.getRestartPolicy()).isIn("OnFailure", "Never");
        Container container = pod.getContainers().get(0);
        assertThat(container.getImage()).as("the broker image docker-compose runs")
                .isEqualTo(composeImage("kafka"));
        String script = String.join("\n", container.getArgs());
        Matcher topics = Pattern.compile("TOPICS=\"([^\"]*)\"").matcher(script);
        assertThat(topics.find()).as("the script's TOPICS=\"...\" line").isTrue();
        assertThat(topics.group(1).trim().split("\\s+")).containsExactlyElementsOf(Topics.ALL);
        assertThat(script).contains("--topic \"$t\"").contains("--topic \"dead-letter-topic-$t\"")
                .contains("--if-not-exists").contains("--partitions \"$PARTITIONS\"");
        assertThat(configKey(container, "KAFKA_BOOTSTRAP_SERVERS")).isEqualTo("kafka-bootstrap-servers");
        assertThat(configKey(container, "PARTITIONS")).isEqualTo("kafka-topic-partitions");
        assertThat(configKey(container, "REPLICATION_FACTOR")).isEqualTo("kafka-topic-replication-factor");
    }

    @Test
    void kedaScalesBuildWorkerAndStationDispatcherOnTheirConsumerGroupsLag() {
        int partitions = Integer.parseInt(manifests.get(ConfigMap.class, CONFIG_MAP).getData()
                .get("kafka-topic-partitions"));
        assertThat(manifests.scaledObjects).extracting(so -> so.path("spec").path("scaleTargetRef").path("name").asText())
                .containsExactlyInAnyOrderElementsOf(SCALED.keySet());
        for (JsonNode scaledObject : manifests.scaledObjects) {
            JsonNode spec = scaledObject.path("spec");
            String service = spec.path("scaleTargetRef").path("name").asText();
            assertThat(spec.path("scaleTargetRef").path("kind").asText()).isEqualTo("Deployment");
            assertThat(spec.path("scaleTargetRef").path("apiVersion").asText()).isEqualTo("apps/v1");
            assertThat(spec.path("scaleTargetRef").path("envSourceContainerName").asText()).isEqualTo(service);
            Deployment target = manifests.get(Deployment.class, service);
            assertThat(target.getSpec().getReplicas()).as("%s: KEDA owns the replica count", service).isNull();
            assertThat(spec.path("minReplicaCount").asInt()).as("%s keeps one instance", service).isGreaterThanOrEqualTo(1);
            assertThat(spec.path("maxReplicaCount").asInt()).as("%s: no more consumers than partitions", service)
                    .isGreaterThan(spec.path("minReplicaCount").asInt()).isLessThanOrEqualTo(partitions);

            Properties properties = properties(service);
            String channel = "mp.messaging.incoming." + SCALED.get(service) + ".";
            assertThat(spec.path("triggers")).as(service).hasSize(1);
            JsonNode trigger = spec.path("triggers").get(0);
            assertThat(trigger.path("type").asText()).isEqualTo("kafka");
            JsonNode metadata = trigger.path("metadata");
            assertThat(metadata.path("topic").asText()).as(service).isEqualTo(properties.getProperty(channel + "topic"))
                    .isIn(Topics.ALL);
            assertThat(metadata.path("consumerGroup").asText()).as(service)
                    .isEqualTo(properties.getProperty(channel + "group.id"));
            assertThat(metadata.path("offsetResetPolicy").asText()).as(service)
                    .isEqualTo(properties.getProperty(channel + "auto.offset.reset"));
            String fromEnv = metadata.path("bootstrapServersFromEnv").asText();
            assertThat(configKey(container(service), fromEnv)).as("%s: the brokers the service uses", service)
                    .isEqualTo("kafka-bootstrap-servers");
        }
    }

    // ---- helpers

    static void assertProbe(String service, String kind, Probe probe, String path) {
        assertThat(probe).as("%s probe of %s", kind, service).isNotNull();
        HTTPGetAction get = probe.getHttpGet();
        assertThat(get).as("%s probe of %s", kind, service).isNotNull();
        assertThat(get.getPath()).as("%s probe of %s", kind, service).isEqualTo(path);
        assertThat(get.getPort().getStrVal()).as("%s probe port of %s", kind, service).isEqualTo("http");
        assertThat(container(service).getPorts()).extracting(ContainerPort::getName).contains(get.getPort().getStrVal());
    }

    private static void assertPeer(String service, String name, String url, String peer) {
        assertThat(url).as("%s of %s", name, service).isEqualTo("http://" + peer + ":" + servicePort(peer));
    }

    private static int servicePort(String service) {
        return manifests.get(Service.class, service).getSpec().getPorts().get(0).getPort();
    }

    static Container container(String service) {
        return manifests.get(Deployment.class, service).getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static List<Container> allContainers() {
        List<Container> containers = new ArrayList<>();
        manifests.all(Deployment.class).forEach(d -> containers.addAll(d.getSpec().getTemplate().getSpec().getContainers()));
        manifests.all(Job.class).forEach(j -> containers.addAll(j.getSpec().getTemplate().getSpec().getContainers()));
        return containers;
    }

    private static Set<String> names(Container container) {
        Set<String> names = new LinkedHashSet<>();
        container.getEnv().forEach(env -> names.add(env.getName()));
        return names;
    }

    private static EnvVar env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(container.getName() + " does not set " + name));
    }

    private static java.util.Optional<String> literal(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().map(EnvVar::getValue);
    }

    private static String secretKey(Container container, String name) {
        var from = env(container, name).getValueFrom();
        assertThat(from).as("%s of %s from the Secret", name, container.getName()).isNotNull();
        assertThat(from.getSecretKeyRef()).as("%s of %s from the Secret", name, container.getName()).isNotNull();
        return from.getSecretKeyRef().getKey();
    }

    private static String configKey(Container container, String name) {
        var from = env(container, name).getValueFrom();
        assertThat(from).as("%s of %s from the ConfigMap", name, container.getName()).isNotNull();
        assertThat(from.getConfigMapKeyRef()).as("%s of %s from the ConfigMap", name, container.getName()).isNotNull();
        return from.getConfigMapKeyRef().getKey();
    }

    private static List<String> withGateway() {
        List<String> all = new ArrayList<>(LocalStack.SERVICES);
        all.add(LocalStack.GATEWAY);
        return all;
    }

    /** The resources a kustomization.yaml lists, as files (a folder such as ../../base is not a file here). */
    @SuppressWarnings("unchecked")
    static List<Path> kustomizationResources(Path folder) throws IOException {
        Map<String, Object> kustomization = new Yaml().load(Files.readString(folder.resolve("kustomization.yaml")));
        List<Path> files = new ArrayList<>();
        for (String resource : (List<String>) kustomization.get("resources")) {
            Path path = folder.resolve(resource).normalize();
            assertThat(path).as("resource %s of %s", resource, folder).exists();
            if (Files.isRegularFile(path)) {
                files.add(path);
            }
        }
        return files;
    }

    static Properties properties(String module) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(root.resolve(module).resolve("src/main/resources/application.properties"))) {
            properties.load(reader);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return properties;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> composeServices() throws IOException {
        LoaderOptions options = new LoaderOptions();
        options.setMergeOnCompose(true);
        Map<String, Object> compose = new Yaml(options).load(Files.readString(root.resolve("docker-compose.yml")));
        return (Map<String, Object>) compose.get("services");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> composeEnvironments() throws IOException {
        Map<String, Map<String, Object>> environments = new java.util.HashMap<>();
        composeServices().forEach((name, definition) -> {
            Object environment = ((Map<String, Object>) definition).get("environment");
            if (environment instanceof Map<?, ?> map) {
                environments.put(name, (Map<String, Object>) map);
            }
        });
        return environments;
    }

    @SuppressWarnings("unchecked")
    private static String composeImage(String service) throws IOException {
        return String.valueOf(((Map<String, Object>) composeServices().get(service)).get("image"));
    }

    /** The keys of deploy/kubernetes/README.md's table of the Secret: lines "| `key` | ...". */
    private static Set<String> secretKeys() {
        try {
            Path readme = StackLayout.detect().root().resolve("deploy/kubernetes/README.md");
            Set<String> keys = new TreeSet<>();
            boolean inTable = false;
            for (String line : Files.readAllLines(readme)) {
                if (line.startsWith("| secret key ")) {
                    inTable = true;
                } else if (inTable && line.startsWith("| `")) {
                    keys.add(line.substring(3, line.indexOf('`', 3)));
                } else if (inTable && !line.startsWith("|")) {
                    break;
                }
            }
            assertThat(keys).as("the Secret's keys in %s", readme).isNotEmpty();
            return keys;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long megabytes(String size) {
        Matcher m = Pattern.compile("(\\d+)([kKmMgG]?)").matcher(size.trim());
        assertThat(m.matches()).as("size %s", size).isTrue();
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase()) {
            case "g" -> n * 1024;
            case "m" -> n;
            case "k" -> n / 1024;
            default -> n / (1024 * 1024);
        };
    }

    private static long seconds(String duration) {
        assertThat(duration).matches("\\d+s");
        return Long.parseLong(duration.substring(0, duration.length() - 1));
    }
}
