package io.configd.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.BridgeTestClient;
import io.configd.Eventually;
import io.configd.NodeProcess;
import io.configd.model.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 item 1: a node that dies (SIGKILL, so it records nothing as gone) leaves its instances' rows behind; the
 * other node lists them as gone once its heartbeat has stopped refreshing them for staleMillis, and counts them no
 * longer in /status, while its own instances stay connected.
 */
@DisplayName("The instances of a killed node are shown gone")
class InstancesOfAKilledNodeAreShownGoneTest {

  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String KEY = "killed.node.limit";
  private static final int EACH = 3;
  private static final List<NodeProcess> nodes = new ArrayList<>();
  private static final List<BridgeTestClient> clients = new ArrayList<>();
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    for (JsonObject config : NodeProcess.clusterConfigs("KilledNodeInstances", 2)) {
      config.put("instances", new JsonObject().put("heartbeatMillis", 200).put("staleMillis", 3_000)
          .put("forgetMillis", 600_000));
      nodes.add(NodeProcess.start(config));
    }
    nodes.forEach(node -> node.awaitReady(Duration.ofSeconds(120)));
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    Future.join(clients.stream().map(BridgeTestClient::close).toList()).await();
    vertx.close().await();
    nodes.stream().filter(NodeProcess::isAlive).forEach(NodeProcess::stop);
  }

  private static void connect(NodeProcess node, String id, long revision) {
    BridgeTestClient client = BridgeTestClient.connect(vertx, node.port(), node.adminToken()).await();
    clients.add(client);
    assertThat(client.request(Addresses.HELLO, new JsonObject().put("instance", id)
        .put("labels", new JsonObject().put("zone", "eu-1"))).await().getString("type")).isEqualTo("rec");
    client.register(Addresses.change("production", "killed.node")).await();
    assertThat(client.request(Addresses.ACK, new JsonObject().put("env", "production").put("revision", revision)
        .put("keys", new JsonObject().put(KEY, 1))).await().getString("type")).isEqualTo("rec");
  }

  private static Map<String, JsonObject> listed(NodeProcess node) {
    return node.get("/v1/instances?env=production&prefix=killed.node").getJsonArray("items").stream()
        .map(JsonObject.class::cast).collect(Collectors.toMap(item -> item.getString("instance"), item -> item));
  }

  @Test
  @DisplayName("the survivor lists the killed node's instances as gone and no longer counts them; its own stay "
      + "connected and counted")
  void killedNodesInstancesGone() {
    NodeProcess doomed = nodes.get(0);
    NodeProcess survivor = nodes.get(1);
    long revision = survivor.put(KEY, "production", 1).getLong("revision");
    for (int i = 0; i < EACH; i++) {
      connect(doomed, "doomed-" + i, revision);
      connect(survivor, "kept-" + i, revision);
    }
    Map<String, JsonObject> before = Eventually.value("all six connected on the survivor", WAIT, () -> listed(survivor),
        found -> found.size() == 2 * EACH && found.values().stream().allMatch(i -> i.getString("state").equals("connected")));
    assertThat(before.get("doomed-0").getString("node")).isEqualTo(doomed.name());
    assertThat(survivor.get("/v1/config/" + KEY + "/status?env=production").getInteger("instances")).isEqualTo(2 * EACH);

    doomed.kill();

    Map<String, JsonObject> after = Eventually.value("the killed node's instances gone on the survivor", WAIT,
        () -> listed(survivor), found -> found.size() == 2 * EACH && java.util.stream.IntStream.range(0, EACH)
            .allMatch(i -> found.get("doomed-" + i).getString("state").equals("gone")));
    for (int i = 0; i < EACH; i++) {
      assertThat(after.get("doomed-" + i).getString("node")).isEqualTo(doomed.name());
      assertThat(after.get("kept-" + i).getString("state")).as("kept-" + i).isEqualTo("connected");
      assertThat(after.get("kept-" + i).getString("node")).isEqualTo(survivor.name());
    }
    JsonObject status = survivor.get("/v1/config/" + KEY + "/status?env=production");
    assertThat(status.getInteger("instances")).isEqualTo(EACH);
    assertThat(status.getInteger("current")).isEqualTo(EACH);
    assertThat(status.getInteger("gone")).isEqualTo(EACH);
    assertThat(survivor.get("/v1/instances?env=production&prefix=killed.node&state=gone").getJsonArray("items").stream()
        .map(item -> ((JsonObject) item).getString("instance")).toList())
        .containsExactly("doomed-0", "doomed-1", "doomed-2");
  }
}
