package io.configd.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.BridgeTestClient;
import io.configd.Eventually;
import io.configd.NodeProcess;
import io.configd.model.ConfigValue;
import io.configd.client.ConfigClient;
import io.configd.client.ConfigClientBuilder;
import io.configd.model.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Three nodes in three JVMs, clustered over Hazelcast on loopback, sharing PostgreSQL, Redis and Kafka. */
@ExtendWith(VertxExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("A cluster of three nodes")
class ClusteredNodesTest {

  private static final Logger LOG = LoggerFactory.getLogger(ClusteredNodesTest.class);
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final List<NodeProcess> nodes = new ArrayList<>();
  private static Vertx vertx;

  @BeforeAll
  static void start(Vertx testVertx) {
    vertx = testVertx;
    NodeProcess.clusterConfigs("ClusteredNodesTest", 3).forEach(config -> nodes.add(NodeProcess.start(config)));
    nodes.forEach(node -> node.awaitReady(Duration.ofSeconds(120)));
    Eventually.await("three cluster members", WAIT,
        () -> nodes.stream().allMatch(node -> node.get("/v1/stats/cluster").getJsonArray("members").size() == 3));
  }

  @AfterAll
  static void stop() {
    NodeProcess.stopAll(nodes);
  }

  @Test
  @Order(1)
  @DisplayName("a write through node 1 reaches the subscribers of every node")
  void writesReachEveryNode() {
    List<BridgeTestClient> subscribers = nodes.stream().map(node -> subscriber(node, "config.production.cluster")).toList();

    nodes.get(0).put("cluster.feature", "production", "on");

    Eventually.await("the change on every node", WAIT, () -> subscribers.stream().allMatch(s -> s.messages.size() == 1));
    subscribers.forEach(s -> assertThat(s.messages.get(0).getJsonObject("body").getValue("value")).isEqualTo("on"));
    subscribers.forEach(s -> s.close().await());
  }

  @Test
  @Order(2)
  @DisplayName("bridge sockets stay out of the cluster: its subscription map is the same with 10 and with 1,000 sockets")
  void subscriptionMapDoesNotGrowWithSockets() {
    NodeProcess node = nodes.get(1);
    long before = subscriptionEntries(node);
    WebSocketClient sockets = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(2000));

    List<BridgeTestClient> ten = connect(sockets, node, 10);
    long withTen = subscriptionEntries(node);
    List<BridgeTestClient> thousand = connect(sockets, node, 990);
    long withThousand = subscriptionEntries(node);
    LOG.info("Cluster subscription map: {} entries without sockets, {} with 10, {} with 1,000", before, withTen,
        withThousand);

    assertThat(node.get("/v1/stats/bridge").getLong("subscriptions")).isGreaterThanOrEqualTo(1000);
    assertThat(withTen).isEqualTo(before);
    assertThat(withThousand).isEqualTo(before);
    Future.all(ten.stream().map(BridgeTestClient::close).toList()).await();
    Future.all(thousand.stream().map(BridgeTestClient::close).toList()).await();
    sockets.close().await();
  }

  @Test
  @Order(3)
  @DisplayName("when the node that relays the outbox is killed, another takes over and the backlog goes out in order")
  void relayLeaderKilled() {
    NodeProcess leader = nodes.stream().filter(n -> n.get("/v1/stats/publisher").getBoolean("leader")).findFirst()
        .orElseThrow(() -> new AssertionError("no node leads the relay"));
    List<NodeProcess> others = nodes.stream().filter(n -> n != leader).toList();
    List<BridgeTestClient> subscribers = others.stream().map(node -> subscriber(node, "config.staging.failover")).toList();

    leader.kill();
    long killedAt = System.nanoTime();
    // Written while nobody relays: they wait in PostgreSQL, then go out in order.
    IntStream.rangeClosed(1, 30).forEach(i -> others.get(i % 2).put("failover.k" + (i % 3), "staging", i));

    Eventually.await("another leader", WAIT,
        () -> others.stream().anyMatch(n -> n.get("/v1/stats/publisher").getBoolean("leader")));
    LOG.info("Relay leadership taken over {} ms after SIGKILL", (System.nanoTime() - killedAt) / 1_000_000);
    Eventually.await("30 changes at each remaining node's subscriber", WAIT,
        () -> subscribers.stream().allMatch(s -> s.messages.size() >= 30));

    for (BridgeTestClient subscriber : subscribers) {
      List<JsonObject> changes = subscriber.messages.stream().map(m -> m.getJsonObject("body")).toList();
      assertThat(changes).extracting(c -> c.getInteger("value")).containsExactlyInAnyOrderElementsOf(
          IntStream.rangeClosed(1, 30).boxed().toList());
      for (int k = 0; k < 3; k++) {
        String key = "failover.k" + k;
        assertThat(changes.stream().filter(c -> c.getString("key").equals(key)).map(c -> c.getInteger("version")).toList())
            .as("versions of %s", key).isSorted().doesNotHaveDuplicates();
      }
    }
    subscribers.forEach(s -> s.close().await());
    leader.restart().awaitReady(Duration.ofSeconds(120));
  }

  @Test
  @Order(4)
  @DisplayName("when a node is killed, its Java-client subscribers reconnect to another node and catch up, every version in order")
  void nodeKilledUnderItsSubscribers() {
    NodeProcess victim = nodes.get(1);
    ConfigClient client = client("kill", victim, nodes.get(2));
    List<ConfigValue> seen = new CopyOnWriteArrayList<>();
    client.onChange("kill", seen::add);

    Map<String, Integer> last = new HashMap<>();
    for (int i = 1; i <= 60; i++) {
      String key = "kill.k" + (i % 4);
      nodes.get(0).put(key, "production", i);
      last.put(key, i);
      if (i == 20) {
        victim.kill();
      }
    }

    Eventually.await("the client to hold every latest value", WAIT,
        () -> last.entrySet().stream().allMatch(e -> client.find(e.getKey()).map(e.getValue()::equals).orElse(false)));
    assertThat(client.connectedNode()).map(Object::toString).hasValueSatisfying(
        node -> assertThat(node).contains(String.valueOf(nodes.get(2).port())));
    assertEveryVersionOnceInOrder(seen, last.keySet());
    client.close().await();
    victim.restart().awaitReady(Duration.ofSeconds(120));
  }

  @Test
  @Order(5)
  @DisplayName("a rolling restart of all three nodes under steady writes loses nothing and the client sees no gap")
  void rollingRestart() {
    ConfigClient client = client("rolling", nodes.toArray(NodeProcess[]::new));
    List<ConfigValue> seen = new CopyOnWriteArrayList<>();
    client.onChange("rolling", seen::add);
    Map<String, Integer> acknowledged = new java.util.concurrent.ConcurrentHashMap<>();
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger counter = new AtomicInteger();
    Thread writer = new Thread(() -> {
      while (writing.get()) {
        int i = counter.incrementAndGet();
        String key = "rolling.k" + (i % 5);
        for (NodeProcess node : nodes) {
          if (node.isAlive()) {
            try {
              node.put(key, "staging", i);
              acknowledged.put(key, i);
              break;
            } catch (RuntimeException | AssertionError refused) {
              // not acknowledged: the node is going down; the next one takes the write
            }
          }
        }
      }
    }, "steady-writer");
    writer.start();

    for (NodeProcess node : nodes) {
      int before = counter.get();
      node.stop();
      node.restart().awaitReady(Duration.ofSeconds(120));
      Eventually.await("writes to go on after restarting " + node.name(), WAIT, () -> counter.get() > before + 10);
    }
    writing.set(false);
    try {
      writer.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LOG.info("Rolling restart: {} writes attempted, {} keys", counter.get(), acknowledged.size());

    Eventually.await("the client to hold every acknowledged latest value", WAIT,
        () -> acknowledged.entrySet().stream().allMatch(e -> client.find(e.getKey()).map(e.getValue()::equals).orElse(false)));
    assertEveryVersionOnceInOrder(seen, acknowledged.keySet());
    client.close().await();
  }

  /** Per key, the client applied versions 1, 2, 3, ... without a gap or a repeat. */
  private static void assertEveryVersionOnceInOrder(List<ConfigValue> seen, java.util.Set<String> keys) {
    for (String key : keys) {
      List<Integer> versions = seen.stream().filter(c -> c.key().equals(key)).map(ConfigValue::version).toList();
      assertThat(versions).as("versions of %s the client applied", key)
          .containsExactlyElementsOf(IntStream.rangeClosed(1, versions.size()).boxed().toList());
    }
  }

  private static ConfigClient client(String prefix, NodeProcess... candidates) {
    ConfigClientBuilder builder = ConfigClient.builder().vertx(vertx).watch(prefix.equals("kill") ? "production" : "staging", prefix)
        .backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0.2).syncInterval(Duration.ofSeconds(5));
    for (NodeProcess node : candidates) {
      builder.node("http://127.0.0.1:" + node.port()).token(node.adminToken());
    }
    ConfigClient client = builder.build();
    client.start().await();
    return client;
  }

  private static BridgeTestClient subscriber(NodeProcess node, String address) {
    BridgeTestClient client = BridgeTestClient.connect(vertx, node.port(), node.adminToken()).await();
    client.register(address).await();
    client.request(Addresses.SNAPSHOT, new JsonObject().put("env", address.split("\\.")[1])).await();
    return client;
  }

  private static List<BridgeTestClient> connect(WebSocketClient sockets, NodeProcess node, int count) {
    List<Future<BridgeTestClient>> connecting = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String address = "config.production.sockets.k" + (i % 50);
      connecting.add(BridgeTestClient.connect(sockets, node.port(), false, node.adminToken()).compose(c -> c.register(address).map(c))
          .compose(c -> c.request(Addresses.SNAPSHOT, new JsonObject().put("env", "production")).map(c)));
    }
    Future.all(connecting).await();
    return connecting.stream().map(Future::result).toList();
  }

  private static long subscriptionEntries(NodeProcess node) {
    return node.get("/v1/stats/cluster").getLong("subscriptionEntries");
  }
}
