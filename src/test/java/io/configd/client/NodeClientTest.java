package io.configd.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.Eventually;
import io.configd.NodeScript;
import io.configd.TcpProxy;
import io.configd.TestNodeExtension;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Node.js client (clients/node, on the official @vertx/eventbus-bridge-client.js) under Node 20, against a real
 * node reached through a proxy the test cuts: bin/follow.js prints one JSON line per event.
 */
@DisplayName("The Node.js client")
class NodeClientTest {

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("NodeClientTest");

  private static final File CLIENT = new File("clients/node");
  private static final Duration WAIT = Duration.ofSeconds(30);

  @BeforeAll
  static void installed() throws Exception {
    if (!new File(CLIENT, "node_modules/@vertx/eventbus-bridge-client.js").isDirectory()) {
      throw new IllegalStateException("clients/node/node_modules is missing: run bin/test, or npm ci --prefix clients/node");
    }
    Process version = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
    String text = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    version.waitFor(10, TimeUnit.SECONDS);
    assertThat(text).as("the Node the client is tested under").startsWith("v20.");
  }

  private static NodeScript follow(String url, String watch, String token) throws IOException {
    return NodeScript.start(CLIENT, "bin/follow.js", url, watch, token);
  }

  private static List<Object> values(NodeScript follower, String key) {
    return changes(follower, key).map(e -> e.getValue("value")).toList();
  }

  private static List<Long> revisions(NodeScript follower, String key) {
    return changes(follower, key).map(e -> e.getLong("revision")).toList();
  }

  private static java.util.stream.Stream<JsonObject> changes(NodeScript follower, String key) {
    return follower.events().stream().filter(e -> "change".equals(e.getString("event")) && key.equals(e.getString("key")));
  }

  @Test
  @DisplayName("loads the snapshot, follows live changes, and after a cut connection catches up on every change it missed, once and in order")
  void snapshotLiveAndCatchUp() throws Exception {
    NODE.node().put("node.app.a", "production", 1);
    NODE.node().put("node.app.b", "production", "x");
    NODE.node().put("node.other", "production", 1);
    String token = NODE.node().createToken("node-app", "production", "node.app", "read");
    TcpProxy proxy = new TcpProxy(NODE.vertx());
    int port = proxy.start("127.0.0.1", NODE.node().port()).await();
    try (NodeScript follower = follow("http://127.0.0.1:" + port, "production:node.app", token)) {
      JsonObject started = follower.await("started", WAIT);
      assertThat(started.getJsonObject("values")).isEqualTo(new JsonObject().put("node.app.a", 1).put("node.app.b", "x"));

      NODE.node().put("node.app.a", "production", 2);
      Eventually.await("the live change", WAIT, () -> values(follower, "node.app.a").contains(2));

      proxy.cut().await();
      follower.await("disconnected", WAIT);
      for (int v = 3; v <= 12; v++) {
        NODE.node().put("node.app.a", "production", v);
      }
      NODE.node().put("node.app.c", "production", true);
      NODE.node().put("node.other", "production", 2);
      proxy.restore();

      Eventually.await("the catch-up after the reconnect (events: " + follower.events() + ")", WAIT,
          () -> values(follower, "node.app.a").contains(12) && values(follower, "node.app.c").contains(true));
      assertThat(values(follower, "node.app.a")).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
      assertThat(revisions(follower, "node.app.a")).isSorted().doesNotHaveDuplicates();
      assertThat(values(follower, "node.other")).isEmpty();
      assertThat(follower.count("connected")).isGreaterThanOrEqualTo(2);
      assertThat(follower.count("warning")).isZero();
    } finally {
      proxy.close().await();
    }
  }

  @Test
  @DisplayName("applies 2-key and 100-key transactions as units: every change and set event sees all the watched keys "
      + "at one generation, each transaction is one set; a socket cut in the middle of one's frames catches it up whole")
  void transactionsAreAppliedWhole() throws Exception {
    java.util.List<String> two = java.util.List.of("node.txn.pair.a", "node.txn.pair.b");
    java.util.List<String> many = new java.util.ArrayList<>();
    for (int i = 0; i < 100; i++) {
      many.add("node.txn.many." + (i % 2 == 0 ? "a" : "b") + ".k" + String.format("%03d", i));
    }
    txn(two, 0);
    txn(many, 0);
    CuttingProxy proxy = CuttingProxy.start(NODE.vertx(), NODE.node().port()).await();
    String url = "http://127.0.0.1:" + proxy.port();
    java.util.Map<String, String> spread = java.util.Map.of("CONFIGD_FOLLOW_SPREAD", "1");
    try (NodeScript pair = NodeScript.start(CLIENT, spread, "bin/follow.js", url, "production:node.txn.pair",
             NODE.node().adminToken());
         NodeScript follower = NodeScript.start(CLIENT, spread, "bin/follow.js", url, "production:node.txn.many",
             NODE.node().adminToken())) {
      pair.await("started", WAIT);
      follower.await("started", WAIT);
      java.util.List<Long> pairIds = new java.util.ArrayList<>();
      java.util.List<Long> manyIds = new java.util.ArrayList<>();
      for (int generation = 1; generation <= 5; generation++) {
        pairIds.add(txn(two, generation));
        manyIds.add(txn(many, generation));
      }
      Eventually.await("generation 5 everywhere", WAIT, () -> values(pair, "node.txn.pair.b").contains(5)
          && many.stream().allMatch(key -> values(follower, key).contains(5)));
      // both connections go through the proxy: the next 6,000 bytes to either end a quarter into the transaction
      proxy.cutAfter(6_000);
      long cut = txn(many, 6);
      Eventually.await("the cut", WAIT, () -> proxy.cuts() == 1);
      Eventually.await("generation 6 after the catch-up (events: " + follower.count("change") + " changes)", WAIT,
          () -> many.stream().allMatch(key -> values(follower, key).contains(6)));
      manyIds.add(cut);

      for (NodeScript script : java.util.List.of(pair, follower)) {
        assertThat(script.events().stream().filter(e -> e.containsKey("spread")).map(e -> e.getInteger("spread")))
            .as("distinct values among the watched keys at each event").containsOnly(1);
        assertThat(script.count("warning")).isZero();
      }
      // after the snapshot each started with (one set, no transaction): each transaction once, in one set
      assertThat(pair.events().stream().filter(e -> "changes".equals(e.getString("event")) && e.getValue("txn") != null)
          .map(e -> e.getLong("txn")))
          .containsExactlyElementsOf(pairIds);
      assertThat(follower.events().stream().filter(e -> "changes".equals(e.getString("event")) && e.getValue("txn") != null))
          .extracting(e -> e.getLong("txn") + ":" + e.getInteger("size"))
          .containsExactlyElementsOf(manyIds.stream().map(id -> id + ":100").toList());
    } finally {
      proxy.close().await();
    }
  }

  /** Every key set to {@code generation} in one POST /v1/txn; returns its id. */
  private static long txn(List<String> keys, int generation) {
    io.vertx.core.json.JsonArray ops = new io.vertx.core.json.JsonArray();
    keys.forEach(key -> ops.add(new JsonObject().put("op", "put").put("key", key).put("value", generation)));
    var response = NODE.node().call(io.vertx.core.http.HttpMethod.POST, "/v1/txn?env=production",
        new JsonObject().put("ops", ops));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject().getLong("txn");
  }

  @Test
  @DisplayName("fails to start, as refused, with a token that may not read the watched prefix")
  void refusedWithoutRead() throws Exception {
    String token = NODE.node().createToken("elsewhere", "production", "node.elsewhere", "read");
    try (NodeScript follower = follow("http://127.0.0.1:" + NODE.node().port(), "production:node.app", token)) {
      assertRejected(follower, "refused");
      assertThat(follower.process().waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(follower.process().exitValue()).isEqualTo(2);
    }
  }

  @Test
  @DisplayName("names its instance: listed with its app and labels, acknowledges each change it applied and the "
      + "failures it reports; a malformed identity fails its start as rejected")
  void namesItsInstanceAndAcknowledges() throws Exception {
    NODE.node().put("node.inst.rate", "production", 1);
    String token = NODE.node().createToken("node-inst", "production", "node.inst", "read");
    java.util.Map<String, String> identity = java.util.Map.of("CONFIGD_INSTANCE", "node-client-1", "CONFIGD_APP",
        "checkout", "CONFIGD_LABELS", "zone=eu-1,version=2.3.1");
    String url = "http://127.0.0.1:" + NODE.node().port();
    try (NodeScript follower = NodeScript.start(CLIENT, identity, "bin/follow.js", url, "production:node.inst", token)) {
      follower.await("started", WAIT);
      NODE.node().put("node.inst.rate", "production", 2);
      JsonObject listed = Eventually.value("the Node client listed with version 2 applied", WAIT,
          () -> NODE.node().get("/v1/instances?env=production&prefix=node.inst").bodyAsJsonObject().getJsonArray("items"),
          items -> items.size() == 1 && items.getJsonObject(0).getJsonObject("keys").getInteger("node.inst.rate", 0) == 2)
          .getJsonObject(0);
      assertThat(listed.getString("instance")).isEqualTo("node-client-1");
      assertThat(listed.getString("app")).isEqualTo("checkout");
      assertThat(listed.getJsonObject("labels")).isEqualTo(new JsonObject().put("version", "2.3.1").put("zone", "eu-1"));
      assertThat(listed.getJsonArray("transports").getList()).containsExactly("sockjs");

      var stdin = follower.process().getOutputStream();
      stdin.write("fail\nfail\n".getBytes(StandardCharsets.UTF_8));
      stdin.flush();
      Eventually.await("two failures reported", WAIT, () -> NODE.node().get("/v1/instances?env=production&prefix=node.inst")
          .bodyAsJsonObject().getJsonArray("items").getJsonObject(0).getInteger("failures") == 2);
    }
    java.util.Map<String, String> bad = java.util.Map.of("CONFIGD_INSTANCE", "node-client-2", "CONFIGD_LABELS",
        "zone=eu 1");
    try (NodeScript follower = NodeScript.start(CLIENT, bad, "bin/follow.js", url, "production:node.inst", token)) {
      assertRejected(follower, "the value of label 'zone'");
    }
  }

  @Test
  @DisplayName("receives a gray release only where it targets its labels, live and in its snapshot, with the rollout "
      + "it comes from; the failures it reports roll a staged rollout back, which returns it to the released value")
  void grayReleaseAndRollback() throws Exception {
    NODE.node().put("node.gray.pool", "production", 10);
    String token = NODE.node().createToken("node-gray", "production", "node.gray", "read");
    String url = "http://127.0.0.1:" + NODE.node().port();
    try (NodeScript eu = NodeScript.start(CLIENT, java.util.Map.of("CONFIGD_INSTANCE", "node-gray-eu", "CONFIGD_LABELS",
        "zone=eu-1"), "bin/follow.js", url, "production:node.gray", token);
         NodeScript us = NodeScript.start(CLIENT, java.util.Map.of("CONFIGD_INSTANCE", "node-gray-us", "CONFIGD_LABELS",
             "zone=us-1"), "bin/follow.js", url, "production:node.gray", token)) {
      eu.await("started", WAIT);
      us.await("started", WAIT);
      var started = NODE.node().call(io.vertx.core.http.HttpMethod.POST, "/v1/rollouts?env=production",
          new JsonObject().put("key", "node.gray.pool").put("value", 20).put("selector", "zone=eu-1")
              .put("failureThreshold", 1).put("steps", new io.vertx.core.json.JsonArray()
                  .add(new JsonObject().put("percentage", 100).put("bake", "PT1H"))));
      assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(201);
      long id = started.bodyAsJsonObject().getLong("id");

      JsonObject gray = Eventually.value("the gray value at the eu-1 client", WAIT,
          () -> changes(eu, "node.gray.pool").filter(e -> Integer.valueOf(20).equals(e.getValue("value"))).findFirst(),
          java.util.Optional::isPresent).orElseThrow();
      assertThat(gray.getJsonObject("rollout")).isEqualTo(new JsonObject().put("id", id).put("action", "target")
          .put("selector", "zone=eu-1").put("percentage", 100));
      try (NodeScript later = NodeScript.start(CLIENT, java.util.Map.of("CONFIGD_INSTANCE", "node-gray-eu-2",
          "CONFIGD_LABELS", "zone=eu-1"), "bin/follow.js", url, "production:node.gray", token)) {
        assertThat(later.await("started", WAIT).getJsonObject("values"))
            .isEqualTo(new JsonObject().put("node.gray.pool", 20));
      }

      var stdin = eu.process().getOutputStream();
      stdin.write("fail\nfail\n".getBytes(StandardCharsets.UTF_8));
      stdin.flush();
      JsonObject rolledBack = Eventually.value("rollout " + id + " rolled back", WAIT,
          () -> NODE.node().get("/v1/rollouts/" + id).bodyAsJsonObject(), r -> r.getString("state").equals("rolled-back"));
      assertThat(rolledBack.getString("stopReason")).contains("over the threshold of 1");
      Eventually.await("the eu-1 client back on the released value", WAIT,
          () -> values(eu, "node.gray.pool").equals(List.of(10, 20, 10)));
      assertThat(changes(eu, "node.gray.pool").toList().get(2).getJsonObject("rollout").getString("action"))
          .isEqualTo("abort");
      assertThat(values(us, "node.gray.pool")).as("the us-1 client never saw the gray value").containsExactly(10);
      assertThat(eu.count("warning") + us.count("warning")).isZero();
    }
  }

  /** The script reports a failed start the node refused (not a network failure), with this in its message. */
  private static void assertRejected(NodeScript follower, String message) throws Exception {
    JsonObject failed = follower.await("failed", WAIT);
    assertThat(failed.getBoolean("rejected")).isTrue();
    assertThat(failed.getString("message")).contains(message);
  }
}
