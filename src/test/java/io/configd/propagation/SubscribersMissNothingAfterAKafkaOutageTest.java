package io.configd.propagation;

import static io.configd.StreamTesting.queryRows;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.Eventually;
import io.configd.KafkaBroker;
import io.configd.StreamTesting;
import io.configd.TestNode;
import io.configd.client.ConfigClient;
import io.configd.model.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * DESIGN.md invariants 1 and 3 across a Kafka outage (RELIABILITY.md, the finding of session 3): what is committed while
 * Kafka is down is relayed as a backlog across partitions when it returns, and a Java-client subscriber gets every
 * revision of it live, in order, each once; the node's revision order gives none of them up.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Subscribers miss nothing after a Kafka outage")
class SubscribersMissNothingAfterAKafkaOutageTest {

  private static final String ENV = "production";
  private static final Duration WAIT = Duration.ofSeconds(120);

  private static KafkaBroker broker;
  private static JsonObject config;
  private static TestNode node;

  @BeforeAll
  static void start(Vertx vertx) {
    broker = KafkaBroker.start("outage-order");
    config = StreamTesting.streamConfig("SubscribersMissNothingAfterAKafkaOutageTest", broker);
    node = TestNode.start(vertx, config).await();
  }

  @AfterAll
  static void stop() {
    StreamTesting.stop(node, broker);
  }

  @Test
  @DisplayName("a transaction and single writes committed while Kafka is killed reach a subscriber live once it is back: every revision, in order, each once")
  void transactionDuringAKafkaKill(Vertx vertx) throws Exception {
    List<Long> seen = new CopyOnWriteArrayList<>();
    // No periodic catch-up within the test: every change must come live, as the node releases it.
    ConfigClient client = ConfigClient.builder().vertx(vertx).node("http://127.0.0.1:" + node.port())
        .token(node.adminToken()).watch(ENV, "outage").backoff(Duration.ofMillis(50), Duration.ofMillis(500), 0.5)
        .syncInterval(Duration.ofMinutes(10)).build();
    client.onChange("outage", change -> seen.add(change.revision()));
    client.start().await();
    try {
      long first = node.put("outage.k0", ENV, "before").bodyAsJsonObject().getLong("revision");
      Eventually.await("the first change live", WAIT, () -> seen.contains(first));

      broker.kill();
      for (int round = 0; round < 10; round++) {
        JsonObject txn = new JsonObject().put("ops", new JsonArray()
            .add(new JsonObject().put("op", "put").put("key", "outage.k1").put("value", "t" + round))
            .add(new JsonObject().put("op", "put").put("key", "outage.k2").put("value", "t" + round)));
        assertThat(node.call(HttpMethod.POST, "/v1/txn?env=" + ENV, txn).statusCode()).isEqualTo(200);
        for (int key = 3; key < 8; key++) {
          assertThat(node.put("outage.k" + key, ENV, "s" + round).statusCode()).isIn(200, 201);
        }
      }
      long head = node.put("outage.k0", ENV, "last").bodyAsJsonObject().getLong("revision");
      broker.restart();

      Eventually.await("the last change live", WAIT, () -> seen.contains(head));
      List<Long> committed = queryRows(config, "select revision from config_change where revision > " + first
          + " and revision <= " + head + " and env = '" + ENV + "' and key like 'outage.%' order by revision").stream()
          .map(row -> ((Number) row.get("revision")).longValue()).toList();
      JsonObject order = vertx.eventBus().<JsonObject>request(Addresses.PROPAGATION_STATS, null).await().body()
          .getJsonObject("order");
      System.out.printf("Kafka outage: %d revisions relayed as a backlog; revision order %s%n", committed.size(), order.encode());
      assertThat(committed).hasSize(71);
      assertThat(seen.subList(seen.indexOf(first) + 1, seen.size())).containsExactlyElementsOf(committed);
      assertThat(order.getLong("skipped")).as("revisions the node gave up: %s", order).isZero();
    } finally {
      client.close().await();
    }
  }
}
