package io.configd.bench;

import io.configd.TestServices;
import io.configd.Eventually;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The configd node being measured, always in a process of its own: one the bench starts (bin/configd,
 * or {@code java -cp ... io.configd.Main}) with its own schema, Kafka topic, consumer groups and ports,
 * and stops by PID at the end; or one already running at {@code --url}.
 */
final class NodeUnderTest {

  /** An HTTP answer and when it arrived (System.nanoTime). */
  record Response(int status, Buffer body, long arrivedNanos) {
    JsonObject json() {
      return body.toJsonObject();
    }
  }

  /** Memory of the node's process at one moment: resident set (KB, from /proc) and heap used after a full GC. */
  record Memory(Long rssKb, long heapUsed, long heapCommitted, boolean gcForced) {
    JsonObject toJson() {
      return new JsonObject().put("rssKb", rssKb).put("heapUsedBytes", heapUsed).put("heapCommittedBytes", heapCommitted)
          .put("heapMeasuredAfterFullGc", gcForced);
    }
  }

  private final HttpClient http;
  /** Stats and readiness on connections of their own, so they never queue behind (or wedge with) the load's. */
  private final HttpClient control;
  /** Authorization: Bearer of the admin token the bench uses; never written to the report or the console. */
  private final String authorization;
  private final String host;
  private final int port;
  private final JsonObject description;
  private final Process process;
  private final Thread stopOnExit;
  private long pid;

  private NodeUnderTest(Vertx vertx, String host, int port, JsonObject description, Process process, String token) {
    this.authorization = "Bearer " + token;
    this.host = host;
    this.port = port;
    this.description = description;
    this.process = process;
    // Ctrl-C or a crash of the generator still stops the node it started.
    this.stopOnExit = process == null ? null : new Thread(process::destroy, "bench-stop-node");
    if (stopOnExit != null) {
      Runtime.getRuntime().addShutdownHook(stopOnExit);
    }
    this.http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(host).setDefaultPort(port)
        .setKeepAlive(true), new PoolOptions().setHttp1MaxSize(64));
    this.control = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(host).setDefaultPort(port)
        .setKeepAlive(false), new PoolOptions().setHttp1MaxSize(4));
  }

  /** A node someone else runs: its admin token comes from CONFIGD_TOKEN. */
  static NodeUnderTest external(Vertx vertx, String url) {
    URI uri = URI.create(url);
    String token = System.getenv("CONFIGD_TOKEN");
    if (token == null || token.isBlank()) {
      throw new IllegalStateException("set CONFIGD_TOKEN to an admin token of the node at " + url);
    }
    NodeUnderTest node = new NodeUnderTest(vertx, uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort(),
        new JsonObject().put("startedBy", "external").put("url", url), null, token);
    node.awaitReady(60);
    return node;
  }

  /** Starts a node of the bench's own and waits until it is ready and reads every partition of its topic. */
  static NodeUnderTest start(Vertx vertx, BenchOptions options, Path log) throws IOException {
    return start(vertx, options, log, options.schema(), Map.of());
  }

  /**
   * Starts a node named {@code name} with {@code overrides} on top of the bench's settings (e.g. the near cache off
   * or a Redis of the bench's own) and waits until it is ready.
   */
  static NodeUnderTest start(Vertx vertx, BenchOptions options, Path log, String name, Map<String, String> overrides)
      throws IOException {
    NodeUnderTest node = launch(vertx, options, log, name, overrides);
    node.readyOrStop();
    return node;
  }

  /**
   * Starts K clustered nodes (the same schema, topic and groups; each its own ports and name; a cluster name of the
   * bench's own, so they never join another cluster on this machine) and waits until every one is ready.
   */
  static List<NodeUnderTest> startCluster(Vertx vertx, BenchOptions options, Path logDir, String run, int k)
      throws IOException {
    List<Integer> clusterPorts = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      clusterPorts.add(TestServices.freePort());
    }
    String members = String.join(",", clusterPorts.stream().map(p -> "127.0.0.1:" + p).toList());
    List<NodeUnderTest> nodes = new ArrayList<>();
    boolean ready = false;
    try {
      for (int i = 0; i < k; i++) {
        String name = options.schema() + "-n" + (i + 1);
        nodes.add(launch(vertx, options, logDir.resolve("node-" + run + "-n" + (i + 1) + ".log"), name, Map.of(
            "CONFIGD_CLUSTER_MEMBERS", members,
            "CONFIGD_CLUSTER_PORT", String.valueOf(clusterPorts.get(i)),
            "CONFIGD_CLUSTER_HOST", "127.0.0.1",
            "CONFIGD_CLUSTER_NAME", "configd-" + options.schema())));
      }
      for (NodeUnderTest node : nodes) {
        node.awaitReady(300);
      }
      ready = true;
    } finally {
      if (!ready) {
        nodes.forEach(NodeUnderTest::stop);
      }
    }
    return nodes;
  }

  private static NodeUnderTest launch(Vertx vertx, BenchOptions options, Path log, String name,
                                      Map<String, String> overrides) throws IOException {
    int port = TestServices.freePort();
    Map<String, String> env = new TreeMap<>();
    env.put("CONFIGD_HTTP_HOST", "127.0.0.1");
    env.put("CONFIGD_HTTP_PORT", String.valueOf(port));
    env.put("CONFIGD_BRIDGE_TCP_HOST", "127.0.0.1");
    env.put("CONFIGD_BRIDGE_TCP_PORT", String.valueOf(TestServices.freePort()));
    env.put("CONFIGD_PG_SCHEMA", options.schema());
    env.put("CONFIGD_KAFKA_TOPIC", "config.updates." + options.schema());
    env.put("CONFIGD_KAFKA_GROUP_SUFFIX", "." + options.schema());
    env.put("CONFIGD_REDIS_NAMESPACE", options.schema() + ":");
    env.put("CONFIGD_NODE_NAME", name);
    env.put("CONFIGD_BRIDGE_TRACE_HOPS", "true"); // change frames carry the times of each hop, for the breakdown
    // The bench measures the node, not its per-client safety limits: one principal writes as fast as it can.
    env.put("CONFIGD_AUTH_WRITES_PER_SECOND", "1000000");
    env.put("CONFIGD_HTTP_MAX_CONNECTIONS_PER_ADDRESS", "0"); // every simulated subscriber comes from 127.0.0.1
    env.put("CONFIGD_AUTH_WRITE_BURST", "1000000");
    env.put("CONFIGD_AUTH_ADDRESS_WRITES_PER_SECOND", "1000000");
    env.put("CONFIGD_AUTH_ADDRESS_WRITE_BURST", "1000000");
    env.putAll(overrides);
    String javaOpts = System.getenv().getOrDefault("CONFIGD_JAVA_OPTS", "-Xmx1g -XX:+UseG1GC");
    List<String> command = new ArrayList<>();
    if (options.nodeClasspath() != null) {
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(List.of(javaOpts.trim().split("\\s+")));
      command.addAll(List.of("-cp", options.nodeClasspath(), "io.configd.Main"));
    } else {
      command.add("bin/configd");
    }
    Files.createDirectories(log.getParent());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(env);
    builder.environment().put("CONFIGD_JAVA_OPTS", javaOpts);
    String token = benchToken(options.schema());
    builder.environment().put("CONFIGD_AUTH_ADMIN_TOKEN", token); // not in env: that one goes into the report
    JsonObject description = new JsonObject().put("startedBy", "bench").put("name", name)
        .put("command", options.nodeClasspath() != null ? "java " + javaOpts + " -cp <test classpath> io.configd.Main"
            : "bin/configd")
        .put("javaOpts", javaOpts).put("environment", new JsonObject(new TreeMap<>(env)))
        .put("otherConfigdEnvironment", inheritedConfigdVariables(env))
        .put("conf", System.getenv().getOrDefault("CONFIGD_CONF", "conf/configd.json")).put("log", log.toString());
    System.out.println("starting node " + name + ": " + description.getString("command") + " " + overrides
        + "  (log: " + log + ")");
    Process process = builder.start();
    return new NodeUnderTest(vertx, "127.0.0.1", port, description, process, token);
  }

  private void readyOrStop() {
    boolean ready = false;
    try {
      awaitReady(300);
      ready = true;
    } finally {
      if (!ready) {
        stop();
      }
    }
  }

  /** The CONFIGD_* variables the node inherits from the bench's environment (credentials masked). */
  private static JsonObject inheritedConfigdVariables(Map<String, String> ours) {
    JsonObject inherited = new JsonObject();
    new TreeMap<>(System.getenv()).forEach((name, value) -> {
      if (name.startsWith("CONFIGD_") && !name.startsWith("CONFIGD_TEST_") && !ours.containsKey(name)) {
        inherited.put(name, value.replaceAll("//([^:/@]+):[^@]*@", "//$1:***@"));
      }
    });
    return inherited;
  }

  /** Waits for /ready, then for the propagation verticle to read the topic (else early writes are not propagated). */
  private void awaitReady(int seconds) {
    JsonObject jvm = Eventually.value("the node at " + host + ":" + port + " to be ready and read its topic",
        Duration.ofSeconds(seconds), () -> {
          if (process != null && !process.isAlive()) {
            throw new AssertionError("the node exited with status " + process.exitValue() + " before it was ready; see "
                + description.getString("log"));
          }
          Response ready = await(call(control, HttpMethod.GET, "/ready", null), 30, "GET /ready");
          boolean propagating = ready.status() == 200
              && getJson("/v1/stats/propagation").getInteger("assignedPartitions", 0) > 0;
          return propagating ? getJson("/v1/stats/jvm") : null;
        }, found -> found != null);
    pid = jvm.getLong("pid");
    description.put("url", "http://" + host + ":" + port).put("pid", pid).put("jvm", jvm.getString("jvm"))
        .put("processors", jvm.getInteger("processors")).put("heapMaxBytes", jvm.getLong("heapMax"));
  }


  JsonObject description() {
    return description;
  }

  String name() {
    return description.getString("name", "external");
  }

  long pid() {
    return pid;
  }

  String host() {
    return host;
  }

  int port() {
    return port;
  }

  HttpClient http() {
    return http;
  }

  /**
   * The bootstrap admin token of the bench's schema: made once and kept in ~/.cache/configd, because a node
   * creates its admin token only on an empty schema and a later run against the same schema needs the same one.
   */
  private static String benchToken(String schema) throws IOException {
    Path file = Path.of(System.getProperty("user.home"), ".cache", "configd", "bench-" + schema + ".token");
    if (Files.exists(file)) {
      return Files.readString(file).trim();
    }
    Files.createDirectories(file.getParent());
    String token = io.configd.auth.ApiTokens.generate();
    Files.writeString(file, token);
    return token;
  }

  /** Adds the bench's token to a request. */
  RequestOptions authorized(RequestOptions request) {
    return request.putHeader("Authorization", authorization);
  }

  String authorization() {
    return authorization;
  }

  Future<Response> call(HttpMethod method, String uri, String body) {
    return call(http, method, uri, body);
  }

  private Future<Response> call(HttpClient client, HttpMethod method, String uri, String body) {
    RequestOptions request = authorized(new RequestOptions().setMethod(method).setURI(uri).setConnectTimeout(10_000)
        .setIdleTimeout(30_000));
    if (body != null) {
      request.putHeader("Content-Type", "application/json");
    }
    return client.request(request)
        .compose(req -> body == null ? req.send() : req.send(body))
        .compose(response -> response.body().map(buffer -> new Response(response.statusCode(), buffer, System.nanoTime())));
  }

  JsonObject getJson(String uri) {
    Response response = await(call(control, HttpMethod.GET, uri, null), 60, "GET " + uri);
    if (response.status() != 200) {
      throw new IllegalStateException("GET " + uri + " answered " + response.status() + ": " + response.body());
    }
    return response.json();
  }

  /** Node statistics for the record; a missing endpoint (e.g. /v1/stats/cache before the cache lands) is left out. */
  JsonObject stats() {
    JsonObject stats = new JsonObject();
    for (String name : List.of("bridge", "propagation", "publisher", "writes", "cache", "jvm")) {
      try {
        Response response = await(call(control, HttpMethod.GET, "/v1/stats/" + name, null), 60, "GET /v1/stats/" + name);
        if (response.status() == 200) {
          stats.put(name, response.json());
        }
      } catch (RuntimeException e) {
        stats.put(name, "unavailable: " + e.getMessage());
      }
    }
    return stats;
  }

  /** Forces a full GC in the node (jcmd GC.run), then reads its heap and resident set. */
  Memory memory() {
    boolean gc = fullGc();
    JsonObject jvm = getJson("/v1/stats/jvm");
    return new Memory(rssKb(), jvm.getLong("heapUsed"), jvm.getLong("heapCommitted"), gc);
  }

  private boolean fullGc() {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (pid == 0 || !Files.isExecutable(jcmd)) {
      return false;
    }
    try {
      Process gc = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), "GC.run").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return gc.waitFor(120, TimeUnit.SECONDS) && gc.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private Long rssKb() {
    String rss = Report.procField("/proc/" + pid + "/status", "VmRSS", null);
    return rss == null ? null : Long.parseLong(rss.split("\\s+")[0]);
  }

  /** Stops a node the bench started: SIGTERM to its PID, then SIGKILL if it has not stopped within 40 s. */
  synchronized void stop() {
    http.close();
    control.close();
    if (process == null || !process.isAlive()) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook is stopping it already
    }
    System.out.println("stopping node " + name() + " (pid " + process.pid() + ")");
    process.destroy();
    try {
      if (!process.waitFor(40, TimeUnit.SECONDS)) {
        System.out.println("the node did not stop within 40 s; killing it");
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Waits for {@code future} from a plain thread, at most {@code seconds}: a hung request fails the run, saying which. */
  static <T> T await(Future<T> future, long seconds, String what) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(what + ": no answer within " + seconds + " s", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(what + ": " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + ": interrupted", e);
    }
  }

  static void sleepMillis(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
