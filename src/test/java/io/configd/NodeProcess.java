package io.configd;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A configd node in a JVM of its own (io.configd.Main on the test classpath), for tests that kill,
 * restart and cluster nodes. Its configuration goes in a file named by CONFIGD_CONF; its log in
 * target/nodes/&lt;name&gt;.log.
 */
public final class NodeProcess {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final String name;
  private final JsonObject config;
  private Process process;

  private NodeProcess(String name, JsonObject config) {
    this.name = name;
    this.config = config;
  }

  /**
   * Configurations for a cluster of {@code size} nodes of one deployment: the same schema, topic and
   * groups, a cluster name of their own, each node its own ports, all members listed.
   */
  public static List<JsonObject> clusterConfigs(String isolation, int size) {
    JsonObject first = TestServices.nodeConfig(isolation);
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      ports.add(TestServices.freePort());
    }
    JsonArray members = new JsonArray(ports.stream().map(port -> "127.0.0.1:" + port).toList());
    String cluster = "configd-test-" + UUID.randomUUID().toString().substring(0, 8);
    List<JsonObject> configs = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      JsonObject config = TestServices.anotherNode(first, "node-" + (i + 1));
      config.put("cluster", new JsonObject().put("name", cluster).put("host", "127.0.0.1").put("port", ports.get(i))
          .put("members", members));
      configs.add(config);
    }
    return configs;
  }

  public static NodeProcess start(JsonObject config) {
    NodeProcess node = new NodeProcess(config.getJsonObject("node").getString("name"), config);
    node.launch();
    return node;
  }

  private void launch() {
    try {
      File dir = new File("target/nodes");
      dir.mkdirs();
      File conf = new File(dir, name + ".json");
      Files.writeString(conf.toPath(), config.encodePrettily());
      ProcessBuilder builder = new ProcessBuilder(javaBinary(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
          "-cp", System.getProperty("java.class.path"), "io.configd.Main");
      builder.environment().keySet().removeIf(variable -> variable.startsWith("CONFIGD_"));
      builder.environment().put("CONFIGD_CONF", conf.getAbsolutePath());
      builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(new File(dir, name + ".log")));
      process = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start node " + name, e);
    }
  }

  /** Waits until GET /ready answers 200, or fails with the end of the node's log. */
  public NodeProcess awaitReady(Duration timeout) {
    Eventually.await("node " + name + " to be ready (its log: target/nodes/" + name + ".log)", timeout, () -> {
      if (!process.isAlive()) {
        throw new AssertionError("node " + name + " exited with " + process.exitValue() + "; the end of target/nodes/"
            + name + ".log:\n" + logTail(40));
      }
      return status("/ready") == 200;
    });
    return this;
  }

  /** The last {@code lines} lines of this node's log, to put in a failure (CI shows the failure, not the file). */
  private String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(new File("target/nodes", name + ".log").toPath());
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read it: " + e + ")";
    }
  }

  public JsonObject get(String path) {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
              .header("Authorization", "Bearer " + adminToken()).build(),
          HttpResponse.BodyHandlers.ofString());
      return new JsonObject(response.body());
    } catch (IOException e) {
      throw new IllegalStateException("GET " + path + " on " + name + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** PUT a value; returns the stored record, or fails unless the node acknowledged it. */
  public JsonObject put(String key, String env, Object value) {
    try {
      HttpRequest request = HttpRequest.newBuilder(uri("/v1/config/" + key + "?env=" + env))
          .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
          .header("Authorization", "Bearer " + adminToken())
          .PUT(HttpRequest.BodyPublishers.ofString(new JsonObject().put("value", value).encode())).build();
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200 && response.statusCode() != 201) {
        throw new AssertionError("PUT " + key + " on " + name + " answered " + response.statusCode() + ": " + response.body());
      }
      return new JsonObject(response.body());
    } catch (IOException e) {
      throw new IllegalStateException("PUT " + key + " on " + name + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** SIGKILL: the node gets no chance to release anything. */
  public void kill() {
    process.destroyForcibly();
    waitFor();
  }

  /** SIGTERM, as an orchestrator stops a node: the node undeploys and leaves the cluster. */
  public void stop() {
    process.destroy();
    waitFor();
  }

  /** SIGTERM to every live node at once, then waits for each: a class's nodes stop together, not one by one. */
  public static void stopAll(List<NodeProcess> nodes) {
    List<NodeProcess> live = nodes.stream().filter(NodeProcess::isAlive).toList();
    live.forEach(NodeProcess::terminate);
    live.forEach(NodeProcess::waitFor);
  }

  /** Sends SIGTERM and returns at once, for tests that watch the node stop. */
  public void terminate() {
    process.destroy();
  }

  /** Waits for the process to exit; its exit code, or fails after the timeout. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("node " + name + " still runs " + timeout.toSeconds() + " s after SIGTERM");
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Starts the node again with the same configuration and ports. */
  public NodeProcess restart() {
    launch();
    return this;
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** The bootstrap admin token of the node's configuration, which get and put send. */
  public String adminToken() {
    return TestServices.adminToken(config);
  }

  public int port() {
    return config.getJsonObject("http").getInteger("port");
  }

  public String name() {
    return name;
  }

  public JsonObject config() {
    return config;
  }

  private void waitFor() {
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private int status(String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port() + path);
  }

  private static String javaBinary() {
    return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
  }
}
