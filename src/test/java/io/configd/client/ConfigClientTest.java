package io.configd.client;

import io.configd.model.ConfigValue;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.configd.TestNodeExtension;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.configd.Eventually;
import io.configd.TestNode;
import io.configd.TestServices;
import io.configd.model.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The client against a real node over its WebSocket bridge: load, live changes, catch-up after a reconnect. */
@ExtendWith(VertxExtension.class)
@DisplayName("The Java client over the bridge")
class ConfigClientTest {

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("ConfigClientTest");

  private static final Duration WAIT = Duration.ofSeconds(10);

  private static ConfigClientBuilder client() {
    return ConfigClient.builder().vertx(NODE.vertx()).node("http://127.0.0.1:" + NODE.node().port()).token(NODE.node().adminToken())
        .backoff(Duration.ofMillis(50), Duration.ofMillis(500), 0.5)
        .syncInterval(Duration.ofMinutes(5));
  }

  @Test
  @DisplayName("start completes with every value under the watched prefix loaded, readable by type, and nothing else")
  void loadsTheSnapshot() {
    ClientTestSupport.put(NODE.node(), "production", "load.payment.port", 8443);
    ClientTestSupport.put(NODE.node(), "production", "load.payment.timeout", "30s");
    ClientTestSupport.put(NODE.node(), "production", "load.payment.enabled", true);
    ClientTestSupport.put(NODE.node(), "production", "load.payment.pool", new JsonObject().put("url", "pg://db").put("maxSize", 4));
    ClientTestSupport.put(NODE.node(), "production", "load.other.port", 1);
    ClientTestSupport.put(NODE.node(), "staging", "load.payment.port", 2);
    ClientTestSupport.put(NODE.node(), "production", "load.payment.gone", "x");
    NODE.node().call(io.vertx.core.http.HttpMethod.DELETE, "/v1/config/load.payment.gone?env=production", null);

    ConfigClient config = client().watch("production", "load.payment").build();
    config.start().await();

    assertThat(config.keys()).containsExactlyInAnyOrder("load.payment.port", "load.payment.timeout",
        "load.payment.enabled", "load.payment.pool");
    assertThat(config.getInt("load.payment.port")).isEqualTo(8443);
    assertThat(config.getDuration("load.payment.timeout")).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.getBoolean("load.payment.enabled")).isTrue();
    assertThat(config.get("load.payment.pool", PoolSettings.class)).isEqualTo(new PoolSettings("pg://db", 4));
    assertThat(config.findString("load.other.port")).isEmpty();
    assertThat(config.connectionState()).isEqualTo(ConnectionState.BRIDGE);
    assertThat(config.watermark("production", "load.payment")).isPresent();
    config.close().await();
    assertThat(config.connectionState()).isEqualTo(ConnectionState.CLOSED);
  }

  record PoolSettings(String url, int maxSize) {
  }

  @Test
  @DisplayName("a live change reaches the key's and the prefix's listeners once, in order, and duplicates are dropped")
  void liveChanges() {
    ClientTestSupport.put(NODE.node(), "production", "live.svc.a", 1);
    ConfigClient config = client().watch("production", "live.svc").watch("production", "live.svc.a").build();
    config.start().await();
    List<ConfigValue> onKey = new CopyOnWriteArrayList<>();
    List<ConfigValue> onPrefix = new CopyOnWriteArrayList<>();
    List<ConfigValue> onOther = new CopyOnWriteArrayList<>();
    config.onChange("live.svc.a", onKey::add);
    config.onChange("live.svc", onPrefix::add);
    config.onChange("live.elsewhere", onOther::add);
    config.onChange("live", change -> {
      throw new IllegalStateException("a broken listener must not stop the others");
    });

    JsonObject second = ClientTestSupport.put(NODE.node(), "production", "live.svc.a", 2);
    JsonObject third = ClientTestSupport.put(NODE.node(), "production", "live.svc.a", 3);
    JsonObject other = ClientTestSupport.put(NODE.node(), "production", "live.svc.b", "b");
    // Besides the Kafka hop: both registrations match each publication (the change comes twice), and the relay
    // may repeat a record.
    for (JsonObject change : List.of(second, third, third, second, other)) {
      ClientTestSupport.publishLive(NODE.vertx(), change, change.getString("key"));
      ClientTestSupport.publishLive(NODE.vertx(), change, "live.svc");
    }

    Eventually.await("both keys' latest values", WAIT,
        () -> config.getInt("live.svc.a", 0) == 3 && config.findString("live.svc.b").isPresent());
    Eventually.await("three changes on the prefix listener", WAIT, () -> onPrefix.size() == 3);
    assertThat(onKey).extracting(ConfigValue::value).containsExactly(2, 3);
    assertThat(onPrefix).extracting(ConfigValue::key).containsExactly("live.svc.a", "live.svc.a", "live.svc.b");
    assertThat(onOther).isEmpty();
    assertThat(config.findChange("live.svc.a").orElseThrow().version()).isEqualTo(3);
    config.close().await();
  }

  @Test
  @DisplayName("a client cut off by the server during 100 writes reconnects and holds every latest value; "
      + "its listener sees each key's versions once each, in increasing order")
  void cutOffDuringWrites() {
    ConfigClient config = client().watch("production", "cut").build();
    config.start().await();
    List<ConfigValue> seen = new CopyOnWriteArrayList<>();
    config.onChange("cut", seen::add);
    long before = config.watermark("production", "cut").orElseThrow();

    List<Long> revisions = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      revisions.add(ClientTestSupport.put(NODE.node(), "production", "cut.k" + (i % 10), i).getLong("revision"));
      if (i == 50) {
        NODE.vertx().eventBus().publish(Addresses.BRIDGE_DISCONNECT_ALL, null, new DeliveryOptions().setLocalOnly(true));
      }
    }
    NODE.vertx().eventBus().publish(Addresses.BRIDGE_DISCONNECT_ALL, null, new DeliveryOptions().setLocalOnly(true));

    Eventually.await("every key's latest value", WAIT, () -> java.util.stream.IntStream.range(0, 10)
        .allMatch(k -> config.getInt("cut.k" + k, 0) == (k == 0 ? 100 : 90 + k)));
    // Live delivery (Kafka) orders changes per key only, and a version already superseded when it would be
    // applied is skipped: so per key, increasing and each once, ending at the latest.
    assertThat(seen).extracting(ConfigValue::revision).doesNotHaveDuplicates().isSubsetOf(revisions);
    for (int k = 0; k < 10; k++) {
      String key = "cut.k" + k;
      List<Long> ofKey = seen.stream().filter(change -> change.key().equals(key)).map(ConfigValue::revision).toList();
      assertThat(ofKey).isSorted().last().isEqualTo(revisions.get(k == 0 ? 99 : 89 + k));
    }
    Eventually.await("the bridge again", WAIT, () -> config.connectionState() == ConnectionState.BRIDGE);
    Eventually.await("a watermark past the writes", WAIT,
        () -> config.watermark("production", "cut").orElseThrow() >= revisions.get(99));
    assertThat(config.watermark("production", "cut").orElseThrow()).isGreaterThan(before);
    config.close().await();
  }

  @Test
  @DisplayName("a client whose node was down during 100 writes catches up on every one when it returns, each once, in order")
  void catchesUpAfterReconnect() {
    ConfigClient config = client().watch("production", "down").build();
    config.start().await();
    List<ConfigValue> seen = new CopyOnWriteArrayList<>();
    config.onChange("down", seen::add);
    // A second node in a Vert.x of its own (nodes in one Vert.x share clients that the first one's stop closes).
    Vertx otherVertx = Vertx.vertx();
    TestNode other = TestNode.start(otherVertx, TestServices.anotherNode(NODE.node().config(), "client-test-other")).await();
    List<Long> revisions = new ArrayList<>();
    try {
      NODE.node().stop().await();
      Eventually.await("the client to notice", WAIT, () -> config.connectionState() != ConnectionState.BRIDGE);
      for (int i = 1; i <= 100; i++) {
        revisions.add(ClientTestSupport.put(other, "production", "down.k" + (i % 10), i).getLong("revision"));
      }
      assertThat(seen).isEmpty();
    } finally {
      other.stop().eventually(otherVertx::close).await();
      NODE.startAgain();
    }

    Eventually.await("all 100 changes", WAIT, () -> seen.size() >= 100);
    assertThat(seen).extracting(ConfigValue::revision).containsExactlyElementsOf(revisions);
    for (int k = 0; k < 10; k++) {
      assertThat(config.getInt("down.k" + k)).isEqualTo(k == 0 ? 100 : 90 + k);
    }
    assertThat(config.watermark("production", "down").orElseThrow()).isGreaterThanOrEqualTo(revisions.get(99));
    config.close().await();
  }

  @Test
  @DisplayName("the periodic sync brings changes the live stream did not deliver")
  void periodicSync() {
    ConfigClient config = client().watch("staging", "sync").syncInterval(Duration.ofMillis(200)).build();
    config.start().await();
    ClientTestSupport.put(NODE.node(), "staging", "sync.flag", true);
    Eventually.await("the change by catch-up", WAIT, () -> config.getBoolean("sync.flag", false));
    assertThat(config.env()).isEqualTo("staging");
    config.close().await();
  }

  @Test
  @DisplayName("a node that does not serve the watched environment fails start with a clear message")
  void unknownEnvironment() {
    ConfigClient config = client().watch("nowhere", "x").build();
    assertThatThrownBy(() -> config.start().await()).isInstanceOf(ConfigClientException.class)
        .hasMessageContaining("nowhere");
    assertThat(config.connectionState()).isEqualTo(ConnectionState.CLOSED);
  }
}
