package io.configd.propagation;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.configd.TestNodeExtension;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.BridgeTestClient;
import io.configd.Eventually;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * DESIGN.md invariant 3: per key, subscribers see versions in increasing order; duplicates of the
 * at-least-once relay are dropped by revision. Also: a change reaches the key's subscribers and its
 * prefixes' subscribers, and nobody else.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Subscribers see increasing versions")
class SubscribersSeeIncreasingVersionsTest {

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("SubscribersSeeIncreasingVersionsTest");

  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  @DisplayName("a PUT reaches a subscriber of the key and one of its prefix, and not one of another prefix")
  void keyAndPrefixSubscribers() {
    BridgeTestClient onKey = subscriber("config.production.services.payment.url");
    BridgeTestClient onPrefix = subscriber("config.production.services");
    BridgeTestClient onOther = subscriber("config.production.services.pay");
    BridgeTestClient onOtherEnv = subscriber("config.staging.services");

    NODE.node().put("services.payment.url", "production", "jdbc:postgresql://db/pay");
    Eventually.await("the key's subscriber", WAIT, () -> onKey.messages.size() == 1);
    Eventually.await("the prefix's subscriber", WAIT, () -> onPrefix.messages.size() == 1);
    // Later changes that the other subscribers may see: once they arrive, anything earlier would have too.
    NODE.node().put("services.pay.limit", "production", 5);
    NODE.node().put("services.payment.url", "staging", "jdbc:postgresql://db/staging");
    Eventually.await("the other prefix's own change", WAIT, () -> onOther.messages.size() == 1);
    Eventually.await("the other environment's own change", WAIT, () -> onOtherEnv.messages.size() == 1);

    assertThat(onKey.messages.get(0).getString("address")).isEqualTo("config.production.services.payment.url");
    assertThat(onPrefix.messages.get(0).getString("address")).isEqualTo("config.production.services");
    JsonObject change = onPrefix.messages.get(0).getJsonObject("body");
    assertThat(change.getString("key")).isEqualTo("services.payment.url");
    assertThat(change.getValue("value")).isEqualTo("jdbc:postgresql://db/pay");
    assertThat(change.fieldNames()).contains("env", "version", "revision", "updatedAt", "updatedBy", "deleted");
    assertThat(onOther.messages.get(0).getJsonObject("body").getString("key")).isEqualTo("services.pay.limit");
    assertThat(onOtherEnv.messages.get(0).getJsonObject("body").getString("env")).isEqualTo("staging");
    assertThat(onKey.messages).hasSize(1);
    List.of(onKey, onPrefix, onOther, onOtherEnv).forEach(c -> c.close().await());
  }

  @Test
  @DisplayName("100 concurrent writes to one key arrive in increasing version order, each once")
  void increasingVersions() {
    BridgeTestClient client = subscriber("config.development.ordered.key");
    List<Future<?>> writes = IntStream.rangeClosed(1, 100)
        .<Future<?>>mapToObj(i -> NODE.node().request(HttpMethod.PUT, "/v1/config/ordered.key?env=development",
            new JsonObject().put("value", i)))
        .toList();
    Future.all(writes).await();

    Eventually.await("100 changes", WAIT, () -> client.messages.size() >= 100);
    List<Integer> versions = client.messages.stream().map(m -> m.getJsonObject("body").getInteger("version")).toList();
    assertThat(versions).containsExactlyElementsOf(IntStream.rangeClosed(1, 100).boxed().toList());
    client.close().await();
  }

  @Test
  @DisplayName("a duplicate of a change on the topic (an at-least-once relay) is dropped by revision")
  void duplicatesAreDropped() {
    BridgeTestClient client = subscriber("config.staging.dup");
    NODE.node().put("dup.key", "staging", "first");
    Eventually.await("the first change", WAIT, () -> client.messages.size() == 1);
    JsonObject first = client.messages.get(0).getJsonObject("body");
    long duplicatesBefore = propagationStats().getLong("duplicates");

    Properties props = new Properties();
    props.put("bootstrap.servers", NODE.node().config().getJsonObject("kafka").getString("bootstrapServers"));
    try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      String topic = NODE.node().config().getJsonObject("kafka").getString("topic");
      producer.send(new ProducerRecord<>(topic, "dup.key", first.encode())).get();
    } catch (Exception e) {
      throw new AssertionError("could not produce the duplicate", e);
    }
    Eventually.await("the duplicate to be counted", WAIT,
        () -> propagationStats().getLong("duplicates") == duplicatesBefore + 1);
    NODE.node().put("dup.key", "staging", "second");
    Eventually.await("the second change", WAIT, () -> client.messages.size() >= 2);

    assertThat(client.messages).extracting(m -> m.getJsonObject("body").getValue("value"))
        .containsExactly("first", "second");
    client.close().await();
  }

  private static JsonObject propagationStats() {
    return NODE.node().get("/v1/stats/propagation").bodyAsJsonObject();
  }

  /** A client registered on the address; the snapshot round trip proves the registration is in place. */
  static BridgeTestClient subscriber(String address) {
    BridgeTestClient client = BridgeTestClient.connect(NODE.vertx(), NODE.node().port(), NODE.node().adminToken()).await();
    client.register(address).await();
    client.request(io.configd.model.Addresses.SNAPSHOT, new JsonObject().put("env", address.split("\\.")[1])).await();
    return client;
  }
}
