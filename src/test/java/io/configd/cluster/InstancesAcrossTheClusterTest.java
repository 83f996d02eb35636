package io.configd.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.Eventually;
import io.configd.NodeProcess;
import io.configd.client.ConfigClient;
import io.configd.model.ConfigValue;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two clustered nodes in JVMs of their own, sharing PostgreSQL; 200 Java clients in this JVM, half on each node, each
 * naming its instance with labels. What each node lists is what the clients say they applied.
 */
@DisplayName("Two clustered nodes list the same 200 instances, with what each client applied")
class InstancesAcrossTheClusterTest {

  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final int CLIENTS = 200;
  private static final String KEY = "fleet.feature.rate";
  private static final List<NodeProcess> nodes = new ArrayList<>();
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    for (JsonObject config : NodeProcess.clusterConfigs("InstancesAcrossTheCluster", 2)) {
      config.put("instances", new JsonObject().put("heartbeatMillis", 200).put("staleMillis", 10_000)
          .put("forgetMillis", 3_000));
      nodes.add(NodeProcess.start(config));
    }
    nodes.forEach(node -> node.awaitReady(Duration.ofSeconds(120)));
    Eventually.await("two cluster members", WAIT,
        () -> nodes.stream().allMatch(node -> node.get("/v1/stats/cluster").getJsonArray("members").size() == 2));
  }

  @AfterAll
  static void stop() {
    NodeProcess.stopAll(nodes);
    vertx.close().await();
  }

  private static ConfigClient client(int i) {
    NodeProcess node = nodes.get(i % 2);
    return ConfigClient.builder().vertx(vertx).node("http://127.0.0.1:" + node.port()).watch("production", "fleet")
        .token(node.adminToken()).instance("fleet-" + i).app("fleet")
        .label("zone", i % 4 < 2 ? "eu-1" : "us-1").label("version", "2.3." + (i % 3))
        .build();
  }

  /** Every instance each node lists under fleet, by id. */
  private static Map<String, JsonObject> listed(NodeProcess node, String state) {
    Map<String, JsonObject> byId = new HashMap<>();
    String cursor = null;
    do {
      JsonObject page = node.get("/v1/instances?env=production&prefix=fleet&limit=1000"
          + (state == null ? "" : "&state=" + state) + (cursor == null ? "" : "&cursor=" + cursor));
      page.getJsonArray("items").forEach(item -> byId.put(((JsonObject) item).getString("instance"), (JsonObject) item));
      cursor = page.getString("next");
    } while (cursor != null);
    return byId;
  }

  /** True when the node lists exactly these clients, each with the version of KEY it holds and its node. */
  private static boolean agrees(NodeProcess node, List<ConfigClient> clients, List<Integer> indexes) {
    Map<String, JsonObject> listed = listed(node, "connected");
    if (listed.size() != indexes.size()) {
      return false;
    }
    for (int i : indexes) {
      JsonObject item = listed.get("fleet-" + i);
      int held = clients.get(i).findChange(KEY).map(ConfigValue::version).orElse(-1);
      if (item == null || item.getJsonObject("keys").getInteger(KEY, -2) != held
          || !item.getString("node").equals(nodes.get(i % 2).name())) {
        return false;
      }
    }
    return true;
  }

  @Test
  @DisplayName("both nodes list every client with its node, labels and applied version; /status agrees; failures "
      + "reported are shown; clients that leave are shown gone on both nodes, then forgotten")
  void listingsAgreeWithTheClients() {
    nodes.get(0).put(KEY, "production", 1);
    List<ConfigClient> clients = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      clients.add(client(i));
    }
    try {
      Future.all(clients.stream().map(ConfigClient::start).toList()).await();
      List<Integer> all = java.util.stream.IntStream.range(0, CLIENTS).boxed().toList();
      for (NodeProcess node : nodes) {
        Eventually.await(node.name() + " to list the 200 clients at version 1", WAIT,
            () -> agrees(node, clients, all));
      }
      JsonObject one = listed(nodes.get(1), null).get("fleet-6");
      assertThat(one.getString("app")).isEqualTo("fleet");
      assertThat(one.getJsonObject("labels")).isEqualTo(new JsonObject().put("version", "2.3.0").put("zone", "us-1"));
      assertThat(one.getString("node")).isEqualTo(nodes.get(0).name());
      assertThat(one.getJsonArray("transports").getList()).containsExactly("websocket");

      // a new version reaches every client; both nodes' /status count all 200 on it
      JsonObject v2 = nodes.get(1).put(KEY, "production", 2);
      Eventually.await("every client to apply version 2", WAIT, () -> clients.stream()
          .allMatch(client -> client.findChange(KEY).map(ConfigValue::version).orElse(0) == 2));
      for (NodeProcess node : nodes) {
        JsonObject status = Eventually.value(node.name() + " /status: 200 of 200 on version 2", WAIT,
            () -> node.get("/v1/config/" + KEY + "/status?env=production"),
            answer -> answer.getInteger("current") == CLIENTS);
        assertThat(status.getInteger("instances")).isEqualTo(CLIENTS);
        assertThat(status.getInteger("version")).isEqualTo(2);
        assertThat(status.getJsonArray("behind")).isEmpty();
        Eventually.await(node.name() + " to agree with the clients", WAIT, () -> agrees(node, clients, all));
      }

      // ten clients report two failures each against the revision they run
      for (int i = 0; i < 10; i++) {
        clients.get(i).reportFailure();
        clients.get(i).reportFailure("a request with the new rate failed");
      }
      Map<String, JsonObject> failing = Eventually.value("the failures on node 2", WAIT,
          () -> listed(nodes.get(1), "connected"), found -> java.util.stream.IntStream.range(0, 10)
              .allMatch(i -> found.get("fleet-" + i).getInteger("failures") == 2));
      assertThat(failing.get("fleet-10").getInteger("failures")).isZero();
      assertThat(failing.get("fleet-3").getLong("revision")).isEqualTo(v2.getLong("revision"));

      // twenty leave: gone on both nodes, no longer counted, then forgotten
      for (int i = 0; i < 20; i++) {
        clients.get(i).close().await();
      }
      List<Integer> staying = all.subList(20, CLIENTS);
      for (NodeProcess node : nodes) {
        Eventually.await(node.name() + " to list the 20 as gone", WAIT, () -> {
          Map<String, JsonObject> gone = listed(node, "gone");
          return java.util.stream.IntStream.range(0, 20).allMatch(i -> gone.containsKey("fleet-" + i));
        });
        Eventually.await(node.name() + " to count the 180 left", WAIT, () -> node.get("/v1/config/" + KEY
            + "/status?env=production").getInteger("instances") == CLIENTS - 20);
        assertThat(agrees(node, clients, staying)).isTrue();
      }
      Eventually.await("the 20 forgotten", WAIT, () -> {
        Map<String, JsonObject> listed = listed(nodes.get(0), null);
        return listed.size() == CLIENTS - 20 && java.util.stream.IntStream.range(0, 20)
            .noneMatch(i -> listed.containsKey("fleet-" + i));
      });
    } finally {
      Future.join(clients.stream().map(ConfigClient::close).toList()).await();
    }
  }
}
