package io.configd.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.Eventually;
import io.configd.NodeProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 item 3: a staged rollout is driven by the publisher's leader; killing the leader (SIGKILL, two clustered
 * nodes in their own JVMs) mid-plan hands it over to the other node, which goes on from the same step: every step is
 * taken once, in order, and the plan is promoted once.
 */
@DisplayName("A rollout plan survives a killed leader")
class RolloutPlanSurvivesAKilledLeaderTest {

  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String KEY = "plan.handover.limit";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final List<NodeProcess> nodes = new ArrayList<>();

  @BeforeAll
  static void start() {
    for (JsonObject config : NodeProcess.clusterConfigs("RolloutPlanHandover", 2)) {
      config.put("publisher", config.getJsonObject("publisher", new JsonObject()).put("rolloutTickMs", 100)
          .put("leaderRetryMs", 200));
      nodes.add(NodeProcess.start(config));
    }
    nodes.forEach(node -> node.awaitReady(Duration.ofSeconds(120)));
  }

  @AfterAll
  static void stop() {
    NodeProcess.stopAll(nodes);
  }

  private static JsonObject post(NodeProcess node, String path, JsonObject body) throws IOException, InterruptedException {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + node.adminToken())
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return new JsonObject(response.body());
  }

  private static boolean leads(NodeProcess node) {
    return node.get("/v1/stats/publisher").getBoolean("leader");
  }

  @Test
  @DisplayName("the leader killed during the second step: the other node takes the remaining steps, each once and in "
      + "order, and promotes the plan once")
  void handover() throws Exception {
    Eventually.await("a leader", WAIT, () -> nodes.stream().filter(RolloutPlanSurvivesAKilledLeaderTest::leads).count() == 1);
    NodeProcess leader = leads(nodes.get(0)) ? nodes.get(0) : nodes.get(1);
    NodeProcess survivor = leader == nodes.get(0) ? nodes.get(1) : nodes.get(0);
    survivor.put(KEY, "production", 10);
    JsonArray steps = new JsonArray();
    for (int percentage : new int[] {10, 30, 60, 100}) {
      steps.add(new JsonObject().put("percentage", percentage).put("bake", percentage == 100 ? 0 : 3));
    }
    long id = post(survivor, "/v1/rollouts?env=production", new JsonObject().put("key", KEY).put("value", 20)
        .put("steps", steps)).getLong("id");

    Eventually.await("the plan at its second step", WAIT,
        () -> survivor.get("/v1/rollouts/" + id).getInteger("step") >= 1);
    leader.kill();
    JsonObject done = Eventually.value("the plan promoted by the survivor", WAIT, () -> survivor.get("/v1/rollouts/" + id),
        rollout -> rollout.getString("state").equals("promoted"));
    assertThat(leads(survivor)).isTrue();
    assertThat(done.getInteger("step")).isEqualTo(3);
    assertThat(done.getInteger("promotedVersion")).isEqualTo(2);
    assertThat(survivor.get("/v1/config/" + KEY + "?env=production").getInteger("value")).isEqualTo(20);

    List<String> comments = Eventually.value("the promotion audited", WAIT, () -> survivor
            .get("/v1/audit?env=production&prefix=" + KEY + "&limit=100").getJsonArray("items").stream()
            .map(row -> String.valueOf(((JsonObject) row).getValue("comment"))).toList(),
        rows -> rows.stream().anyMatch(comment -> comment.contains("promoted")));
    assertThat(comments).hasSize(6);
    assertThat(comments.get(1)).contains("rollout " + id + " started", "10 %");
    assertThat(comments.get(2)).contains("step 2 of 4", "30 %");
    assertThat(comments.get(3)).contains("step 3 of 4", "60 %");
    assertThat(comments.get(4)).contains("step 4 of 4", "100 %");
    assertThat(comments.get(5)).contains("rollout " + id + " promoted");
  }
}
