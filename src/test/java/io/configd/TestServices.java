package io.configd;

import io.configd.auth.ApiTokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The PostgreSQL, Redis and Kafka every integration test talks to: the endpoints bin/test passes in
 * (CONFIGD_TEST_*), else containers when a Docker engine answers, else a failure that says how to
 * start them. Nothing here is a stand-in: every endpoint is a real server.
 */
public final class TestServices {

  private static final String HOW_TO_START = """
      Run the tests with bin/test, which starts PostgreSQL, Redis and Kafka on loopback and passes them in.
      To run them another way: bin/services up, then
        export CONFIGD_TEST_PG_URI=postgresql://configd:configd@127.0.0.1:5432/configd
        export CONFIGD_TEST_REDIS_URI=redis://127.0.0.1:6379
        export CONFIGD_TEST_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092
        export CONFIGD_TEST_KAFKA_LIBS=$(bin/services kafka-libs)
        export CONFIGD_TEST_REDIS_SERVER=$(command -v redis-server)""";

  /**
   * CONFIGD_TEST_RUN, when set, goes in front of every schema, topic, group and Redis namespace, so that two test
   * runs on one machine (two checkouts) never share or drop each other's state.
   */
  private static final String RUN = System.getenv().getOrDefault("CONFIGD_TEST_RUN", "")
      .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");

  private static PostgreSQLContainer postgres;
  private static GenericContainer<?> redis;
  private static KafkaContainer kafka;

  private TestServices() {
  }

  public static synchronized String pgUri() {
    String uri = System.getenv("CONFIGD_TEST_PG_URI");
    if (uri != null) {
      return uri;
    }
    if (postgres == null) {
      requireDocker("PostgreSQL");
      postgres = new PostgreSQLContainer("postgres:15-alpine");
      postgres.start();
    }
    return "postgresql://" + postgres.getUsername() + ":" + postgres.getPassword() + "@" + postgres.getHost() + ":"
        + postgres.getFirstMappedPort() + "/" + postgres.getDatabaseName();
  }

  public static synchronized String redisUri() {
    String uri = System.getenv("CONFIGD_TEST_REDIS_URI");
    if (uri != null) {
      return uri;
    }
    if (redis == null) {
      requireDocker("Redis");
      redis = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
      redis.start();
    }
    return "redis://" + redis.getHost() + ":" + redis.getFirstMappedPort();
  }

  public static synchronized String kafkaBootstrapServers() {
    String servers = System.getenv("CONFIGD_TEST_KAFKA_BOOTSTRAP_SERVERS");
    if (servers != null) {
      return servers;
    }
    if (kafka == null) {
      requireDocker("Kafka");
      kafka = new KafkaContainer("apache/kafka:4.1.1");
      kafka.start();
    }
    return kafka.getBootstrapServers();
  }

  /** The Kafka jars of bin/services, for tests that run (and stop) a broker of their own. */
  public static String kafkaLibs() {
    return required("CONFIGD_TEST_KAFKA_LIBS", "a Kafka broker of the test's own");
  }

  /** The redis-server binary, for tests that run (and kill) a Redis of their own. */
  public static String redisServerBinary() {
    return required("CONFIGD_TEST_REDIS_SERVER", "a Redis server of the test's own");
  }

  /**
   * A node configuration isolated for one test class: its own schema, topic, consumer groups and Redis
   * namespace, and a spare HTTP port.
   */
  public static JsonObject nodeConfig(String isolation) {
    String name = isolated(isolation);
    String schema = "test_" + name;
    dropSchema(schema);
    // A topic per fresh schema: revisions start again at 1, and a topic holding an earlier schema's
    // changes would replay them into this one. Topics of earlier calls are deleted.
    String topicPrefix = "config.updates." + name + ".";
    String topic = topicPrefix + Long.toString(System.currentTimeMillis(), 36);
    deleteTopics(topicPrefix);
    return new JsonObject()
        .put("node", new JsonObject().put("name", "test-" + name)
            .put("environments", new JsonArray().add("development").add("staging").add("production")))
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", freePort()).put("maxValueBytes", 1 << 20)
            .put("instances", 2))
        .put("bridge", new JsonObject().put("tcpHost", "127.0.0.1").put("tcpPort", freePort()))
        .put("pg", new JsonObject().put("uri", pgUri()).put("schema", schema).put("poolSize", 8))
        .put("redis", new JsonObject().put("uri", redisUri()).put("namespace", "test:" + name + ":"))
        .put("kafka", new JsonObject().put("bootstrapServers", kafkaBootstrapServers())
            .put("topic", topic).put("partitions", 10).put("replicationFactor", 1)
            .put("groupSuffix", "." + topic.substring("config.updates.".length())))
        .put("auth", new JsonObject().put("adminToken", ApiTokens.generate()));
  }

  /** A name of this test run: lower case, [a-z0-9_], prefixed with CONFIGD_TEST_RUN when it is set. */
  public static String isolated(String name) {
    return (RUN.isEmpty() ? "" : RUN + "_") + name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
  }

  /** The bootstrap admin token of a configuration made by {@link #nodeConfig}: what test helpers send by default. */
  public static String adminToken(JsonObject config) {
    return config.getJsonObject("auth").getString("adminToken");
  }

  /** Another node of the same deployment: same schema, topic and groups; its own name and ports. */
  public static JsonObject anotherNode(JsonObject config, String name) {
    JsonObject copy = config.copy();
    copy.getJsonObject("node").put("name", name);
    copy.getJsonObject("http").put("port", freePort());
    copy.getJsonObject("bridge").put("tcpPort", freePort());
    return copy;
  }

  /** Deletes the test topics that start with this prefix (never a shared topic). */
  private static void deleteTopics(String prefix) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrapServers());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    try (Admin admin = Admin.create(props)) {
      List<String> old = admin.listTopics().names().get().stream().filter(t -> t.startsWith(prefix)).toList();
      if (!old.isEmpty()) {
        admin.deleteTopics(old).all().get();
      }
    } catch (Exception e) {
      throw new IllegalStateException("Could not delete the earlier test topics " + prefix + "* on Kafka at "
          + kafkaBootstrapServers() + " (" + e + "). Is Kafka up?\n" + HOW_TO_START, e);
    }
  }

  /** Removes what an earlier run of the same test class left, so each run starts from an empty schema. */
  public static void dropSchema(String schema) {
    PgConnectOptions options = PgConnectOptions.fromUri(pgUri());
    String url = "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
    try (var conn = DriverManager.getConnection(url, options.getUser(), options.getPassword());
         var statement = conn.createStatement()) {
      statement.execute("drop schema if exists " + schema + " cascade");
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL at " + url + " is not reachable (" + e.getMessage() + ").\n"
          + HOW_TO_START, e);
    }
  }

  /**
   * A port free now, never handed out before by this JVM, and below the kernel's ephemeral range (32768 and up on
   * Linux): a port the system picks for {@code bind(0)} comes from that range, so any outgoing connection (a node's
   * PostgreSQL, Kafka or Hazelcast link) could take it as its local port before the node binds it ("Address already
   * in use" at a node's start, seen in CI). Each JVM starts at its own place in 20000..32767 so concurrent suites
   * rarely probe the same ports.
   */
  public static synchronized int freePort() {
    for (int tries = 0; tries < PORT_SPAN; tries++) {
      int port = PORT_BASE + nextPort;
      nextPort = (nextPort + 1) % PORT_SPAN;
      if (HANDED_OUT.add(port) && bindable(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port on loopback in " + PORT_BASE + ".." + (PORT_BASE + PORT_SPAN - 1));
  }

  private static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static final int PORT_BASE = 20000;
  private static final int PORT_SPAN = 32768 - PORT_BASE;
  private static final java.util.Set<Integer> HANDED_OUT = new java.util.HashSet<>();
  private static int nextPort = (int) ((ProcessHandle.current().pid() * 997) % PORT_SPAN);

  private static String required(String variable, String what) {
    String value = System.getenv(variable);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(variable + " is not set; this test needs " + what + ".\n" + HOW_TO_START);
    }
    return value;
  }

  private static void requireDocker(String service) {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      throw new IllegalStateException("No " + service + " for the tests: CONFIGD_TEST_* is not set and no Docker engine "
          + "answers for Testcontainers.\n" + HOW_TO_START);
    }
  }
}
