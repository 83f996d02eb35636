package io.configd.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.configd.ClusterSettings;
import io.configd.TestNode;
import io.configd.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files that deploy configd: the Kubernetes manifests pass the Kubernetes API's schemas (a validator that also
 * refuses broken copies of them), agree with each other and with configd's own settings; the Dockerfile's HEALTHCHECK
 * works under dash, the base image's /bin/sh.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Deployment files")
class DeploymentFilesTest {

  private static final Path MANIFESTS = Path.of("deploy/kubernetes");
  private static final Path VALIDATOR = Path.of("src/test/js/validate-manifests.mjs");

  private record Run(int exit, String output) {
  }

  @Test
  @DisplayName("every manifest validates against the Kubernetes schemas: StatefulSet, headless Service, PDB, ConfigMap")
  void manifestsValidate() throws Exception {
    Run run = validate(manifests());
    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output()).contains("valid deploy/kubernetes/statefulset.yaml StatefulSet/configd",
        "valid deploy/kubernetes/services.yaml Service/configd-cluster", "valid deploy/kubernetes/services.yaml Service/configd",
        "valid deploy/kubernetes/poddisruptionbudget.yaml PodDisruptionBudget/configd",
        "valid deploy/kubernetes/configmap.yaml ConfigMap/configd").doesNotContain("INVALID");
  }

  @Test
  @DisplayName("the validator refuses a wrong type, a missing required field, an unknown kind and broken YAML")
  void validatorRefusesBrokenManifests(@TempDir Path dir) throws Exception {
    String statefulSet = Files.readString(MANIFESTS.resolve("statefulset.yaml"));
    String pdb = Files.readString(MANIFESTS.resolve("poddisruptionbudget.yaml"));
    Map<String, String> broken = Map.of(
        "replicas.yaml", statefulSet.replace("replicas: 3", "replicas: three"),
        "name.yaml", statefulSet.replace("- name: configd\n          image:", "- image:"),
        "kind.yaml", pdb.replace("apiVersion: policy/v1", "apiVersion: policy/v9"),
        "yaml.yaml", pdb.replace("maxUnavailable: 1", "maxUnavailable: [1"));
    List<Path> files = new ArrayList<>();
    for (var entry : broken.entrySet()) {
      assertThat(entry.getValue()).as(entry.getKey() + " differs from the manifest it breaks")
          .isNotIn(statefulSet, pdb);
      Path file = dir.resolve(entry.getKey());
      Files.writeString(file, entry.getValue());
      files.add(file);
      Run alone = validate(List.of(file));
      assertThat(alone.exit()).as(entry.getKey() + ": " + alone.output()).isEqualTo(1);
    }
    String output = validate(files).output();
    assertThat(output).contains("spec/replicas must be integer").contains("must have required property name")
        .contains("no schema for policy/v9 PodDisruptionBudget").contains("YAML:");
  }

  @Test
  @DisplayName("the manifests agree: one selector, the headless Service governs the StatefulSet, probes on /ready and "
      + "/health, the grace period covers configd's shutdown, and the ConfigMap selects Kubernetes discovery")
  void manifestsAgreeWithEachOtherAndWithConfigd() throws Exception {
    List<JsonObject> objects = objects();
    JsonObject statefulSet = find(objects, "StatefulSet", "configd");
    JsonObject headless = find(objects, "Service", "configd-cluster");
    JsonObject pdb = find(objects, "PodDisruptionBudget", "configd");
    JsonObject config = new JsonObject(find(objects, "ConfigMap", "configd").getJsonObject("data").getString("configd.json"));

    JsonObject labels = statefulSet.getJsonObject("spec").getJsonObject("template").getJsonObject("metadata")
        .getJsonObject("labels");
    assertThat(statefulSet.getJsonObject("spec").getJsonObject("selector").getJsonObject("matchLabels")).isEqualTo(labels);
    assertThat(pdb.getJsonObject("spec").getJsonObject("selector").getJsonObject("matchLabels")).isEqualTo(labels);
    objects.stream().filter(o -> o.getString("kind").equals("Service"))
        .forEach(service -> assertThat(service.getJsonObject("spec").getJsonObject("selector")).isEqualTo(labels));
    assertThat(statefulSet.getJsonObject("spec").getString("serviceName")).isEqualTo("configd-cluster");
    assertThat(headless.getJsonObject("spec").getString("clusterIP")).isEqualTo("None");
    assertThat(headless.getJsonObject("spec").getBoolean("publishNotReadyAddresses")).isTrue();

    JsonObject pod = statefulSet.getJsonObject("spec").getJsonObject("template").getJsonObject("spec");
    JsonObject container = pod.getJsonArray("containers").getJsonObject(0);
    Map<String, Integer> ports = new java.util.HashMap<>();
    container.getJsonArray("ports").forEach(p -> ports.put(((JsonObject) p).getString("name"),
        ((JsonObject) p).getInteger("containerPort")));
    assertThat(container.getJsonObject("readinessProbe").getJsonObject("httpGet").getString("path")).isEqualTo("/ready");
    assertThat(container.getJsonObject("livenessProbe").getJsonObject("httpGet").getString("path")).isEqualTo("/health");
    for (String probe : new String[] {"readinessProbe", "livenessProbe", "startupProbe"}) {
      assertThat(ports).containsKey(container.getJsonObject(probe).getJsonObject("httpGet").getString("port"));
    }
    assertThat(container.getJsonObject("resources").getJsonObject("requests").fieldNames()).contains("cpu", "memory");
    assertThat(container.getJsonObject("resources").getJsonObject("limits").fieldNames()).contains("memory");
    JsonObject shutdown = config.getJsonObject("shutdown");
    assertThat(pod.getInteger("terminationGracePeriodSeconds") * 1000L)
        .isGreaterThan(shutdown.getLong("readinessDelayMs") + shutdown.getLong("requestGraceMs"));

    assertThat(ports.get("http")).isEqualTo(config.getJsonObject("http").getInteger("port"));
    assertThat(ports.get("bridge-tcp")).isEqualTo(config.getJsonObject("bridge").getInteger("tcpPort"));
    assertThat(ports.get("metrics")).isEqualTo(config.getJsonObject("metrics").getInteger("port"));
    ClusterSettings cluster = ClusterSettings.from(config.put("cluster", config.getJsonObject("cluster")
        .put("host", "10.1.2.3"))); // what CONFIGD_CLUSTER_HOST (the pod IP) sets
    assertThat(cluster.enabled()).isTrue();
    assertThat(ports.get("hazelcast")).isEqualTo(cluster.port());
    assertThat(ports.get("eventbus")).isEqualTo(cluster.eventBusPort());
    assertThat(cluster.kubernetesServiceDns()).startsWith(headless.getJsonObject("metadata").getString("name") + ".");
    Config hazelcast = cluster.hazelcastConfig();
    JoinConfig join = hazelcast.getNetworkConfig().getJoin();
    assertThat(join.getKubernetesConfig().isEnabled()).isTrue();
    assertThat(join.getKubernetesConfig().getProperty("service-dns")).isEqualTo(cluster.kubernetesServiceDns());
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(cluster.vertxOptions().getEventBusOptions().getPort()).isEqualTo(ports.get("eventbus"));

    List<String> env = container.getJsonArray("env").stream().map(e -> ((JsonObject) e).getString("name")).toList();
    assertThat(env).contains("CONFIGD_CONF", "CONFIGD_NODE_NAME", "CONFIGD_CLUSTER_HOST", "CONFIGD_PG_URI",
        "CONFIGD_REDIS_URI", "CONFIGD_KAFKA_BOOTSTRAP_SERVERS", "CONFIGD_ADMIN_TOKEN");
    assertThat(pod.getJsonObject("securityContext").getInteger("runAsUser")).isEqualTo(dockerfileUser());
  }

  @Test
  @DisplayName("the Dockerfile's HEALTHCHECK, run by dash as the base image runs it, passes against a node's /health "
      + "and fails where nothing listens")
  void healthcheckWorksUnderDash(Vertx vertx) throws Exception {
    String command = healthcheckCommand();
    assertThat(command).contains("/health").doesNotContain("/dev/tcp");
    assertThat(Path.of("/bin/sh").toRealPath().getFileName().toString()).isEqualTo("dash");
    TestNode node = TestNode.start(vertx, TestServices.nodeConfig("DeploymentFilesTest")).await();
    try {
      assertThat(sh(command, node.port()).exit()).isZero();
      assertThat(sh(command, TestServices.freePort()).exit()).isNotZero();
    } finally {
      node.stop().await();
    }
  }

  /** The shell command of the Dockerfile's HEALTHCHECK CMD ["sh", "-c", "..."], unescaped. */
  private static String healthcheckCommand() throws IOException {
    Matcher matcher = Pattern.compile("(?m)^HEALTHCHECK .*CMD \\[\"sh\", \"-c\", \"((?:[^\"\\\\]|\\\\.)*)\"\\]$")
        .matcher(Files.readString(Path.of("Dockerfile")));
    assertThat(matcher.find()).as("a HEALTHCHECK CMD [\"sh\", \"-c\", ...] in the Dockerfile").isTrue();
    return matcher.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
  }

  private static int dockerfileUser() throws IOException {
    Matcher matcher = Pattern.compile("(?m)^USER (\\d+)$").matcher(Files.readString(Path.of("Dockerfile")));
    assertThat(matcher.find()).as("a numeric USER in the Dockerfile").isTrue();
    return Integer.parseInt(matcher.group(1));
  }

  private static Run sh(String command, int port) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(name -> name.startsWith("CONFIGD_"));
    builder.environment().put("CONFIGD_HTTP_PORT", String.valueOf(port));
    return run(builder);
  }

  private static List<Path> manifests() throws IOException {
    try (Stream<Path> files = Files.list(MANIFESTS)) {
      return files.filter(file -> file.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  private static Run validate(List<Path> files) throws Exception {
    List<String> command = new ArrayList<>(List.of("node", VALIDATOR.toString()));
    files.forEach(file -> command.add(file.toString()));
    return run(new ProcessBuilder(command).redirectErrorStream(true));
  }

  /** The manifests' objects, as JSON (the validator's --print). */
  private static List<JsonObject> objects() throws Exception {
    List<String> command = new ArrayList<>(List.of("node", VALIDATOR.toString(), "--print"));
    manifests().forEach(file -> command.add(file.toString()));
    Run run = run(new ProcessBuilder(command));
    assertThat(run.exit()).as(run.output()).isZero();
    List<JsonObject> objects = new ArrayList<>();
    new JsonArray(run.output()).forEach(object -> objects.add((JsonObject) object));
    return objects;
  }

  private static JsonObject find(List<JsonObject> objects, String kind, String name) {
    return objects.stream().filter(o -> o.getString("kind").equals(kind)
            && o.getJsonObject("metadata").getString("name").equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + "/" + name + " in deploy/kubernetes"));
  }

  private static Run run(ProcessBuilder builder) throws Exception {
    Process process = builder.start();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("timed out: " + builder.command());
    }
    return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }
}
