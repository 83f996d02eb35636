package io.configd.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.BridgeTestClient;
import io.configd.Eventually;
import io.configd.NodeScript;
import io.configd.TcpProxy;
import io.configd.TestNodeExtension;
import io.configd.client.ConfigClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Retention on a real node, pruning hard (the newest 10 revisions kept, every 100 ms, 4 revisions a batch): the change
 * log and the audit log lose their old rows but never a key's current version, a reader resuming from a pruned
 * revision is told so (410 revision-compacted with the oldest kept revision, over HTTP, the bridge and SSE), and the
 * Java and Node.js clients recover by a fresh snapshot with no key missing.
 */
@DisplayName("Retention")
class RetentionTest {

  private static final int KEPT = 10;

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("RetentionTest", config -> config.put("retention",
      new JsonObject().put("changesMaxAgeMs", 0).put("changesMaxCount", KEPT).put("auditMaxAgeMs", 0)
          .put("auditMaxCount", KEPT).put("intervalMs", 100).put("batchSize", 4)));

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String ENV = "production";

  @Test
  @DisplayName("a since older than what is kept answers 410 revision-compacted with the oldest kept revision, over "
      + "HTTP, the bridge and SSE; every key's current version stays")
  void compactedRevisionIsRefused() throws Exception {
    for (int round = 1; round <= 6; round++) {
      for (int k = 0; k < 5; k++) {
        put("ret.http.k" + k, round);
      }
    }
    NODE.node().call(HttpMethod.DELETE, "/v1/config/ret.http.k4?env=" + ENV, null);
    long head = changes("ret.http", 1_000_000).getLong("head");
    // pruning runs in batches every 100 ms: wait until it kept exactly the newest KEPT revisions, where it stops
    JsonObject problem = Eventually.value("the change log pruned down to the newest " + KEPT + " revisions", WAIT,
        () -> NODE.node().get("/v1/changes?env=" + ENV + "&prefix=ret.http&since=0"),
        response -> response.statusCode() == 410
            && response.bodyAsJsonObject().getLong("oldestRevision") == head - KEPT + 1).bodyAsJsonObject();
    assertThat(problem.getString("type")).endsWith("/revision-compacted");
    assertThat(problem.getInteger("status")).isEqualTo(410);
    long oldest = problem.getLong("oldestRevision");
    assertThat(oldest).isGreaterThan(1).isLessThanOrEqualTo(head);

    var kept = NODE.node().get("/v1/changes?env=" + ENV + "&prefix=ret.http&since=" + (oldest - 1));
    assertThat(kept.statusCode()).as(kept.bodyAsString()).isEqualTo(200);
    var tooOld = NODE.node().get("/v1/changes?env=" + ENV + "&prefix=ret.http&since=" + (oldest - 2));
    assertThat(tooOld.statusCode()).isEqualTo(410);

    var listing = NODE.node().get("/v1/config?env=" + ENV + "&prefix=ret.http").bodyAsJsonObject();
    Map<String, Object> current = new HashMap<>();
    listing.getJsonArray("items").stream().map(JsonObject.class::cast)
        .forEach(item -> current.put(item.getString("key"), item.getValue("value")));
    assertThat(current).isEqualTo(Map.of("ret.http.k0", 6, "ret.http.k1", 6, "ret.http.k2", 6, "ret.http.k3", 6));
    Eventually.await("the old versions of ret.http.k0 pruned", WAIT, () -> versions("ret.http.k0").size() == 1);
    assertThat(versions("ret.http.k0").getJsonObject(0).getInteger("version")).isEqualTo(6);
    var rollback = NODE.node().call(HttpMethod.POST, "/v1/config/ret.http.k0/rollback?env=" + ENV,
        new JsonObject().put("version", 1));
    assertThat(rollback.statusCode()).as("a roll-back to a pruned version").isEqualTo(404);
    Eventually.await("the audit log pruned too", WAIT, () -> {
      JsonArray audit = NODE.node().get("/v1/audit?env=" + ENV + "&prefix=ret.http&limit=1000").bodyAsJsonObject()
          .getJsonArray("items");
      return audit.size() < 31 && audit.stream().map(JsonObject.class::cast)
          .anyMatch(row -> row.getString("key").equals("ret.http.k0") && row.getInteger("version") == 6);
    });

    BridgeTestClient bridge = BridgeTestClient.connect(NODE.vertx(), NODE.node().port(), NODE.node().adminToken()).await();
    try {
      JsonObject refused = bridge.request("configd.changes", new JsonObject().put("env", ENV).put("prefix", "ret.http")
          .put("since", 0)).await();
      assertThat(refused.getString("type")).isEqualTo("err");
      assertThat(refused.getInteger("failureCode")).isEqualTo(4101);
      assertThat(refused.getString("message")).contains("pruned");
    } finally {
      bridge.close().await();
    }

    var watch = NODE.node().get("/v1/watch?env=" + ENV + "&prefix=ret.http&since=0");
    assertThat(watch.statusCode()).isEqualTo(410);
    assertThat(watch.bodyAsJsonObject().getString("type")).endsWith("/revision-compacted");
  }

  @Test
  @DisplayName("a Java client on the bridge, one polling over HTTP and a Node.js client whose revision was pruned while "
      + "they were cut off recover by a fresh snapshot, with no key missing and none that no longer exists")
  void clientsRecoverBySnapshot() throws Exception {
    for (int k = 0; k < 6; k++) {
      put("ret.app.k" + k, 0);
    }
    TcpProxy proxy = new TcpProxy(NODE.vertx());
    int port = proxy.start("127.0.0.1", NODE.node().port()).await();
    String url = "http://127.0.0.1:" + port;
    ConfigClient java = ConfigClient.builder().vertx(NODE.vertx()).node(url).token(NODE.node().adminToken())
        .watch(ENV, "ret.app").backoff(Duration.ofMillis(50), Duration.ofMillis(500), 0.5)
        .syncInterval(Duration.ofMinutes(5)).build();
    ConfigClient polling = ConfigClient.builder().vertx(NODE.vertx()).node(url).token(NODE.node().adminToken())
        .watch(ENV, "ret.app").backoff(Duration.ofMillis(50), Duration.ofMillis(500), 0.5).bridge(false)
        .pollInterval(Duration.ofMillis(200)).build();
    try (NodeScript node = NodeScript.start(new File("clients/node"), "bin/follow.js", url, ENV + ":ret.app",
        NODE.node().adminToken())) {
      java.start().await();
      polling.start().await();
      node.await("started", WAIT);
      long watermark = java.watermark(ENV, "ret.app").orElseThrow();

      proxy.cut().await();
      node.await("disconnected", WAIT);
      for (int round = 1; round <= 5; round++) {
        for (int k = 0; k < 6; k++) {
          put("ret.app.k" + k, round);
        }
      }
      NODE.node().call(HttpMethod.DELETE, "/v1/config/ret.app.k5?env=" + ENV, null);
      put("ret.app.k6", "new");
      Eventually.await("the client's watermark pruned", WAIT, () -> NODE.node()
          .get("/v1/changes?env=" + ENV + "&prefix=ret.app&since=" + watermark).statusCode() == 410);
      proxy.restore();

      Map<String, Object> expected = Map.of("ret.app.k0", 5, "ret.app.k1", 5, "ret.app.k2", 5, "ret.app.k3", 5,
          "ret.app.k4", 5, "ret.app.k6", "new");
      Eventually.await("the Java client's fresh snapshot (it holds " + java.keys() + ")", WAIT,
          () -> held(java).equals(expected));
      Eventually.await("the Node.js client's fresh snapshot (events: " + node.events() + ")", WAIT,
          () -> held(node).equals(expected));
      Eventually.await("the polling Java client's fresh snapshot (it holds " + polling.keys() + ")", WAIT,
          () -> held(polling).equals(expected));
      assertThat(node.count("resnapshot")).isGreaterThanOrEqualTo(1);
      assertThat(node.count("warning")).isZero();

      put("ret.app.k0", 6);
      Eventually.await("a live change after the recovery", WAIT, () -> java.find("ret.app.k0").orElse(0).equals(6)
          && held(node).get("ret.app.k0").equals(6));
    } finally {
      java.close().await();
      polling.close().await();
      proxy.close().await();
    }
  }

  private static Map<String, Object> held(ConfigClient client) {
    Map<String, Object> held = new HashMap<>();
    client.keys().forEach(key -> client.find(key).ifPresent(value -> held.put(key, value)));
    return held;
  }

  /** What the Node.js client holds: the values it started with, then its change events in order. */
  private static Map<String, Object> held(NodeScript follower) {
    Map<String, Object> held = new HashMap<>();
    for (JsonObject event : follower.events()) {
      if ("started".equals(event.getString("event"))) {
        held.putAll(event.getJsonObject("values").getMap());
      } else if ("change".equals(event.getString("event"))) {
        if (event.getBoolean("deleted", false)) {
          held.remove(event.getString("key"));
        } else {
          held.put(event.getString("key"), event.getValue("value"));
        }
      }
    }
    return held;
  }

  private static void put(String key, Object value) {
    var response = NODE.node().put(key, ENV, value);
    assertThat(response.statusCode()).as("PUT " + key + ": " + response.bodyAsString()).isEqualTo(200);
  }

  private static JsonObject changes(String prefix, long since) {
    var response = NODE.node().get("/v1/changes?env=" + ENV + "&prefix=" + prefix + "&since=" + since);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  private static JsonArray versions(String key) {
    return NODE.node().get("/v1/config/" + key + "/versions?env=" + ENV).bodyAsJsonObject().getJsonArray("items");
  }
}
