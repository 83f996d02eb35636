package io.configd.propagation;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.configd.TestNodeExtension;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.BridgeTestClient;
import io.configd.Eventually;
import io.configd.model.Addresses;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * DESIGN.md invariant 4: a subscriber that was disconnected catches up on reconnect from its last
 * revision, and a service that restarts gets the latest values before it goes live. The client side
 * here is the protocol's rule: subscribe, then ask; keep per key the newest revision applied and drop
 * the rest; resume from the watermark of the last complete snapshot or catch-up.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Subscribers catch up")
class SubscribersCatchUpTest {

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("SubscribersCatchUpTest");

  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  @DisplayName("a subscriber cut off from the server side during 100 writes holds all 100 after it reconnects, in order, each once")
  void cutOffDuringWrites() {
    Subscriber subscriber = new Subscriber("production", "cut");
    subscriber.connect();

    for (int i = 1; i <= 100; i++) {
      NODE.node().put("cut.k" + (i % 7), "production", i);
      if (i == 40) {
        NODE.vertx().eventBus().publish(Addresses.BRIDGE_DISCONNECT_ALL, null);
        subscriber.client.closed().await();
      }
    }
    assertThat(subscriber.applied.size()).as("changes applied before the cut").isLessThan(100);

    subscriber.connect();
    Eventually.await("all 100 changes", WAIT, () -> subscriber.applied.size() == 100);

    assertThat(subscriber.applied).extracting(c -> c.getValue("value"))
        .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.rangeClosed(1, 100).boxed().toList());
    Map<String, List<Integer>> versionsPerKey = new HashMap<>();
    subscriber.applied.forEach(c -> versionsPerKey.computeIfAbsent(c.getString("key"), k -> new ArrayList<>())
        .add(c.getInteger("version")));
    versionsPerKey.values().forEach(versions -> assertThat(versions).isSorted().doesNotHaveDuplicates());
    subscriber.client.close().await();
  }

  @Test
  @DisplayName("a restarting service gets every latest value from the snapshot before it goes live")
  void snapshotOnStart() {
    NODE.node().put("restart.a", "staging", "a1");
    NODE.node().put("restart.a", "staging", "a2");
    NODE.node().put("restart.b", "staging", "b1");
    NODE.node().put("restart.c", "staging", "c1");
    NODE.node().call(io.vertx.core.http.HttpMethod.DELETE, "/v1/config/restart.c?env=staging", null);

    Subscriber subscriber = new Subscriber("staging", "restart");
    subscriber.connect();

    assertThat(subscriber.current).containsOnlyKeys("restart.a", "restart.b");
    assertThat(subscriber.current.get("restart.a").getValue("value")).isEqualTo("a2");
    assertThat(subscriber.current.get("restart.b").getValue("value")).isEqualTo("b1");
    subscriber.client.close().await();
  }

  /** The client rules of the protocol, kept minimal: what the Java client library does too. */
  private static final class Subscriber {
    final String env;
    final String prefix;
    final List<JsonObject> applied = new java.util.concurrent.CopyOnWriteArrayList<>();
    final Map<String, JsonObject> current = new java.util.concurrent.ConcurrentHashMap<>();
    final Map<String, Long> revisions = new java.util.concurrent.ConcurrentHashMap<>();
    long watermark = -1;
    BridgeTestClient client;

    Subscriber(String env, String prefix) {
      this.env = env;
      this.prefix = prefix;
    }

    void connect() {
      client = BridgeTestClient.connect(NODE.vertx(), NODE.node().port(), NODE.node().adminToken()).await();
      client.register("config." + env + "." + prefix).await();
      client.messages.clear();
      if (watermark < 0) {
        JsonObject snapshot = client.request(Addresses.SNAPSHOT, new JsonObject().put("env", env).put("prefix", prefix))
            .await().getJsonObject("body");
        snapshot.getJsonArray("items").forEach(item -> apply((JsonObject) item, false));
        watermark = snapshot.getLong("revision");
      } else {
        boolean more = true;
        while (more) {
          JsonObject page = client.request(Addresses.CHANGES, new JsonObject().put("env", env).put("prefix", prefix)
              .put("since", watermark)).await().getJsonObject("body");
          page.getJsonArray("items").forEach(item -> apply((JsonObject) item, true));
          watermark = page.getLong("next");
          more = page.getBoolean("more");
        }
      }
      // Live messages: applied as they come, through the same revision check.
      NODE.vertx().setPeriodic(5, id -> {
        while (!client.messages.isEmpty()) {
          apply(client.messages.remove(0).getJsonObject("body"), true);
        }
        if (client.isClosed()) {
          NODE.vertx().cancelTimer(id);
        }
      });
    }

    synchronized void apply(JsonObject change, boolean record) {
      String key = change.getString("key");
      if (change.getLong("revision") <= revisions.getOrDefault(key, 0L)) {
        return;
      }
      revisions.put(key, change.getLong("revision"));
      if (change.getBoolean("deleted")) {
        current.remove(key);
      } else {
        current.put(key, change);
      }
      if (record) {
        applied.add(change);
      }
    }
  }
}
