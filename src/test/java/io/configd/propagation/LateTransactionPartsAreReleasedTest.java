package io.configd.propagation;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.BridgeTestClient;
import io.configd.Eventually;
import io.configd.TestNodeExtension;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node holds a transaction's changes until its last one has come; a change of a transaction released late (its gap
 * was given up, the rest of its transaction went out before it) must go out at once, on its own. The changes are put on
 * the node's topic by the test, past the change log's head, as a relay would: the change log cannot fill their gap, so
 * the node gives it up at once, and the given-up revision then comes from Kafka late. Its own node: the test's revisions
 * are not the database's.
 */
@DisplayName("Late transaction parts are released")
class LateTransactionPartsAreReleasedTest {

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("LateTransactionPartsAreReleasedTest");

  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  @DisplayName("a transaction's first change, given up and then read from Kafka after its last one, reaches subscribers on its own")
  void lateFirstChangeOfATransaction() {
    BridgeTestClient client = BridgeTestClient.connect(NODE.vertx(), NODE.node().port(), NODE.node().adminToken()).await();
    client.register("config.production.late").await();
    client.request(io.configd.model.Addresses.SNAPSHOT, new JsonObject().put("env", "production")).await();
    NODE.node().put("late.seed", "production", 0);
    Eventually.await("the seed change", WAIT, () -> client.messages.size() == 1);
    JsonObject seed = client.messages.get(0).getJsonObject("body");
    long head = seed.getLong("revision");
    JsonObject txn = new JsonObject().put("id", head + 1).put("last", head + 2);
    JsonObject first = change(seed, "late.a", head + 1).put("txn", txn.copy());
    JsonObject last = change(seed, "late.b", head + 2).put("txn", txn.copy());
    long skipped = order().getLong("skipped");
    long late = order().getLong("late");

    produce(last);
    Eventually.await("the transaction's last change", WAIT, () -> client.messages.size() == 2);
    assertThat(order().getLong("skipped")).as("the first change's revision, given up").isEqualTo(skipped + 1);
    produce(first);
    Eventually.await("the first change counted late", WAIT, () -> order().getLong("late") == late + 1);
    Eventually.await("the first change released (" + client.messages.size() + " messages)", WAIT,
        () -> client.messages.size() == 3);

    List<JsonObject> bodies = client.messages.stream().map(m -> m.getJsonObject("body")).toList();
    assertThat(bodies).extracting(b -> b.getString("key")).containsExactly("late.seed", "late.b", "late.a");
    assertThat(bodies.get(2).getJsonObject("txn").getInteger("count")).as("a unit of its own").isEqualTo(1);
    assertThat(bodies.get(1).getJsonObject("txn").getInteger("count")).isEqualTo(1);
    client.close().await();
  }

  /** A change message like {@code seed}, for another key at another revision. */
  private static JsonObject change(JsonObject seed, String key, long revision) {
    JsonObject change = seed.copy().put("key", key).put("revision", revision).put("version", 1).put("value", revision);
    change.remove("txn");
    return change;
  }

  private static void produce(JsonObject... changes) {
    Properties props = new Properties();
    props.put("bootstrap.servers", NODE.node().config().getJsonObject("kafka").getString("bootstrapServers"));
    try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      String topic = NODE.node().config().getJsonObject("kafka").getString("topic");
      for (JsonObject change : changes) {
        producer.send(new ProducerRecord<>(topic, change.getString("key"), change.encode())).get();
      }
    } catch (Exception e) {
      throw new AssertionError("could not produce the changes", e);
    }
  }

  private static JsonObject order() {
    return NODE.node().get("/v1/stats/propagation").bodyAsJsonObject().getJsonObject("order");
  }
}
