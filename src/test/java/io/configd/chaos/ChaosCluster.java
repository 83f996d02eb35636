package io.configd.chaos;

import io.configd.KafkaBroker;
import io.configd.TestServices;
import io.configd.auth.ApiTokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a chaos run starts and breaks, all of its own: the network namespaces, a PostgreSQL, a Redis and a
 * Kafka broker on spare ports of the services bridge, and 2–3 clustered nodes. Closing stops and deletes it all.
 */
final class ChaosCluster implements AutoCloseable {

  static final String TOPIC = "config.updates";
  static final String SCHEMA = "chaos";

  private final Path dir;
  private final String adminToken = ApiTokens.generate();
  private ChaosNetwork network;
  private ChaosPostgres postgres;
  private ChaosRedis redis;
  private KafkaBroker kafka;
  private final List<ChaosNode> nodes = new ArrayList<>();

  private ChaosCluster(Path dir) {
    this.dir = dir;
  }

  /** Starts the services, then the nodes; {@code beforeNodes} runs in between (a test's broken relay takes its lock). */
  static ChaosCluster start(int size, Path dir, java.util.function.Consumer<ChaosCluster> beforeNodes) throws Exception {
    ChaosCluster cluster = new ChaosCluster(dir);
    try {
      deleteRecursively(dir); // an earlier run's logs and Kafka data (a test's run directory has a fixed name)
      Files.createDirectories(dir);
      cluster.network = ChaosNetwork.create();
      String host = cluster.network.servicesHost();
      // Kafka's JVM starts while PostgreSQL is initialised and Redis starts: they share nothing but the bridge
      java.util.concurrent.CompletableFuture<KafkaBroker> kafka = java.util.concurrent.CompletableFuture.supplyAsync(
          () -> KafkaBroker.start(dir.resolve("kafka"), host, TestServices.freePort(), TestServices.freePort()));
      try {
        cluster.postgres = ChaosPostgres.start(Path.of("/tmp", "configd-chaos-pg-" + ProcessHandle.current().pid()), host,
            TestServices.freePort());
        cluster.redis = new ChaosRedis(host, TestServices.freePort(), dir.resolve("redis.log"));
        cluster.redis.start();
      } finally {
        try {
          cluster.kafka = kafka.join();
        } catch (java.util.concurrent.CompletionException e) {
          throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
      }
      beforeNodes.accept(cluster);
      JsonArray members = new JsonArray();
      for (int n = 1; n <= size; n++) {
        cluster.network.addNode(n);
        members.add(cluster.network.clusterHost(n) + ":5701");
      }
      for (int n = 1; n <= size; n++) {
        ChaosNode node = new ChaosNode(n, cluster.network.namespace(n), cluster.network.nodeHost(n),
            cluster.nodeConfig(n, members), dir);
        cluster.nodes.add(node);
        node.start();
      }
      for (ChaosNode node : cluster.nodes) {
        node.awaitReady(180);
      }
      return cluster;
    } catch (Exception | Error e) {
      cluster.close();
      throw e;
    }
  }

  private static void deleteRecursively(Path dir) throws java.io.IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  private JsonObject nodeConfig(int n, JsonArray members) {
    return new JsonObject()
        .put("node", new JsonObject().put("name", "node-" + n)
            .put("environments", new JsonArray().add("development").add("staging").add("production")))
        .put("http", new JsonObject().put("host", "0.0.0.0").put("port", 8080).put("instances", 2))
        .put("bridge", new JsonObject().put("tcpHost", "0.0.0.0").put("tcpPort", 7000))
        .put("pg", new JsonObject().put("uri", postgres.uri()).put("schema", SCHEMA).put("poolSize", 8))
        .put("redis", new JsonObject().put("uri", redis.uri()).put("namespace", "chaos:"))
        .put("kafka", new JsonObject().put("bootstrapServers", kafka.bootstrapServers()).put("topic", TOPIC)
            .put("partitions", 10).put("replicationFactor", 1))
        .put("auth", new JsonObject().put("adminToken", adminToken).put("limits", new JsonObject()
            .put("writesPerSecond", 100_000).put("writeBurst", 100_000)
            .put("addressWritesPerSecond", 100_000).put("addressWriteBurst", 100_000)))
        .put("cluster", new JsonObject().put("name", "configd-chaos-" + network.namespace(0))
            .put("host", network.clusterHost(n)).put("port", 5701).put("members", members));
  }

  ChaosNetwork network() {
    return network;
  }

  ChaosPostgres postgres() {
    return postgres;
  }

  ChaosRedis redis() {
    return redis;
  }

  KafkaBroker kafka() {
    return kafka;
  }

  List<ChaosNode> nodes() {
    return nodes;
  }

  String adminToken() {
    return adminToken;
  }

  Path dir() {
    return dir;
  }

  /** A JDBC connection to the run's PostgreSQL (fails while it is down). */
  Connection connect() {
    try {
      return postgres.connect();
    } catch (SQLException e) {
      throw new IllegalStateException("the run's PostgreSQL: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    nodes.forEach(ChaosNode::terminate); // SIGTERM to all at once, then wait for each: they stop together
    nodes.forEach(ChaosNode::stop);
    if (kafka != null) {
      kafka.close();
    }
    if (redis != null) {
      redis.close();
    }
    if (postgres != null) {
      postgres.close();
    }
    if (network != null) {
      network.close();
    }
  }
}
