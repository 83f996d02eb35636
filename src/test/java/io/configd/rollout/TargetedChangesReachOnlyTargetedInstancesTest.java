package io.configd.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.BridgeTestClient;
import io.configd.Eventually;
import io.configd.TestNode;
import io.configd.TestNodeExtension;
import io.configd.model.Addresses;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Invariant 8: a change targeted at part of the fleet reaches exactly the targeted instances, in live pushes,
 * snapshots, catch-up and reads alike; an instance never applies a value it was not targeted for. 200 bridge sockets
 * in the test JVM, half of them in zone eu-1, each naming itself with configd.hello.
 */
@DisplayName("Targeted changes reach only the targeted instances")
class TargetedChangesReachOnlyTargetedInstancesTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String ENV = "production";
  private static final String PREFIX = "fleet.live";
  private static final int FLEET = 200;

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("TargetedChangesTest", config -> {
    config.put("publisher", config.getJsonObject("publisher", new JsonObject()).put("rolloutTickMs", 100));
    config.put("instances", config.getJsonObject("instances", new JsonObject()).put("heartbeatMillis", 200));
    config.getJsonObject("auth").put("limits", new JsonObject().put("writesPerSecond", 1_000_000)
        .put("writeBurst", 1_000_000).put("addressWritesPerSecond", 1_000_000).put("addressWriteBurst", 1_000_000));
  });

  private static WebSocketClient sockets;
  private static final List<BridgeTestClient> clients = new ArrayList<>();
  /** Every socket has every change up to this revision; what a socket received before it depends on when it joined. */
  private static long ready;

  private static TestNode node() {
    return NODE.node();
  }

  private static boolean eu(int i) {
    return i % 2 == 0;
  }

  @BeforeAll
  static void connectTheFleet() {
    sockets = NODE.vertx().createWebSocketClient(new WebSocketClientOptions().setMaxConnections(FLEET * 2)
        .setMaxFrameSize(1 << 20).setMaxMessageSize(8 << 20));
    node().put(PREFIX + ".pool", ENV, 10);
    for (int i = 0; i < FLEET; i++) {
      BridgeTestClient client = BridgeTestClient.connect(sockets, node().port(), false, node().token()).await();
      JsonObject hello = new JsonObject().put("instance", "pod-" + i).put("app", "payment")
          .put("labels", new JsonObject().put("zone", eu(i) ? "eu-1" : "us-1").put("version", "2.3." + (i % 3)));
      assertThat(client.request(Addresses.HELLO, hello).await().getString("type")).isEqualTo("rec");
      client.register(Addresses.change(ENV, PREFIX)).await();
      clients.add(client);
    }
    // every socket is subscribed once a change written now reaches all of them
    ready = marker("ready");
  }

  @AfterAll
  static void disconnect() {
    Future.join(clients.stream().map(BridgeTestClient::close).toList()).await();
    sockets.close().await();
  }

  /** A released change of another key: once every socket has it, each has every change released before it. */
  private static long marker(String value) {
    long revision = node().put(PREFIX + ".marker", ENV, value).bodyAsJsonObject().getLong("revision");
    Eventually.await("every socket received revision " + revision, WAIT,
        () -> clients.stream().allMatch(client -> revisions(client).contains(revision)));
    return revision;
  }

  private static List<Long> revisions(BridgeTestClient client) {
    return client.messages.stream().map(frame -> frame.getJsonObject("body")).filter(Objects::nonNull)
        .map(body -> body.getLong("revision")).toList();
  }

  /** The values of the key the socket received live since every socket was subscribed, in order. */
  private static List<Object> received(BridgeTestClient client, String key) {
    return received(client, key, ready);
  }

  /** The values of the key the socket received live after the revision {@code since}, in order. */
  private static List<Object> received(BridgeTestClient client, String key, long since) {
    return client.messages.stream().map(frame -> frame.getJsonObject("body")).filter(Objects::nonNull)
        .filter(body -> key.equals(body.getString("key")) && body.getLong("revision") > since).map(body -> body.getValue("value")).toList();
  }

  private static JsonArray catchUp(BridgeTestClient client, long since) {
    JsonObject reply = client.request(Addresses.CHANGES, new JsonObject().put("env", ENV).put("prefix", PREFIX)
        .put("since", since)).await();
    return reply.getJsonObject("body").getJsonArray("items");
  }

  private static Object snapshot(BridgeTestClient client, String key) {
    JsonObject reply = client.request(Addresses.SNAPSHOT, new JsonObject().put("env", ENV).put("prefix", PREFIX)).await();
    return reply.getJsonObject("body").getJsonArray("items").stream().map(JsonObject.class::cast)
        .filter(item -> item.getString("key").equals(key)).findFirst().map(item -> item.getValue("value")).orElse(null);
  }

  private static HttpResponse<Buffer> post(String uri, JsonObject body) {
    return node().call(HttpMethod.POST, uri, body);
  }

  @Test
  @DisplayName("a gray release to zone=eu-1 reaches exactly the eu-1 sockets, live, in catch-up and in snapshots; "
      + "the others and anonymous readers never see it; abort brings eu-1 back; promote brings it to all")
  void grayReleaseToAZone() {
    String key = PREFIX + ".pool";
    long before = node().get("/v1/changes?env=" + ENV + "&since=0&limit=1").bodyAsJsonObject().getLong("head");
    HttpResponse<Buffer> started = post("/v1/rollouts?env=" + ENV, new JsonObject().put("key", key).put("value", 20)
        .put("selector", "zone=eu-1"));
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(201);
    long id = started.bodyAsJsonObject().getLong("id");
    marker("after-start");
    for (int i = 0; i < FLEET; i++) {
      assertThat(received(clients.get(i), key)).as("pod-" + i + " live").isEqualTo(eu(i) ? List.of(20) : List.of());
    }

    // after a cut: catch-up and snapshot give each socket what it runs
    for (int i = 0; i < FLEET; i += 7) {
      BridgeTestClient client = clients.get(i);
      List<Object> caught = catchUp(client, before).stream().map(JsonObject.class::cast)
          .filter(change -> change.getString("key").equals(key)).map(change -> change.getValue("value")).toList();
      assertThat(caught).as("pod-" + i + " catch-up").isEqualTo(eu(i) ? List.of(20) : List.of());
      assertThat(snapshot(client, key)).as("pod-" + i + " snapshot").isEqualTo(eu(i) ? 20 : 10);
    }
    // reads naming their instance get their own value; an anonymous read the released one
    assertThat(node().get("/v1/config/" + key + "?env=" + ENV + "&instance=pod-0&labels=zone%3Deu-1")
        .bodyAsJsonObject().getInteger("value")).isEqualTo(20);
    assertThat(node().get("/v1/config/" + key + "?env=" + ENV, "X-Configd-Instance", "pod-1", "X-Configd-Labels",
        "zone=us-1").bodyAsJsonObject().getInteger("value")).isEqualTo(10);
    assertThat(node().get("/v1/config/" + key + "?env=" + ENV).bodyAsJsonObject().getInteger("value")).isEqualTo(10);
    assertThat(node().get("/v1/config?env=" + ENV + "&prefix=" + PREFIX + "&instance=pod-2&labels=zone%3Deu-1")
        .bodyAsJsonObject().getJsonArray("items").stream().map(JsonObject.class::cast)
        .filter(item -> item.getString("key").equals(key)).findFirst().orElseThrow().getInteger("value")).isEqualTo(20);
    assertThat(node().get("/v1/changes?env=" + ENV + "&prefix=" + PREFIX + "&since=" + before + "&instance=pod-4"
        + "&labels=zone%3Deu-1").bodyAsJsonObject().getJsonArray("items").stream().map(JsonObject.class::cast)
        .anyMatch(change -> change.getString("key").equals(key) && change.getInteger("value") == 20)).isTrue();

    HttpResponse<Buffer> aborted = post("/v1/rollouts/" + id + "/abort", new JsonObject());
    assertThat(aborted.statusCode()).as(aborted.bodyAsString()).isEqualTo(200);
    marker("after-abort");
    for (int i = 0; i < FLEET; i++) {
      assertThat(received(clients.get(i), key)).as("pod-" + i + " live").isEqualTo(eu(i) ? List.of(20, 10) : List.of());
    }

    long second = post("/v1/rollouts?env=" + ENV, new JsonObject().put("key", key).put("value", 30)
        .put("selector", "zone=eu-1,version in (2.3.0, 2.3.1)")).bodyAsJsonObject().getLong("id");
    marker("after-second");
    HttpResponse<Buffer> promoted = post("/v1/rollouts/" + second + "/promote", new JsonObject());
    assertThat(promoted.statusCode()).as(promoted.bodyAsString()).isEqualTo(200);
    marker("after-promote");
    for (int i = 0; i < FLEET; i++) {
      boolean targeted = eu(i) && i % 3 != 2;
      List<Object> expected = new ArrayList<>(eu(i) ? List.of(20, 10) : List.of());
      if (targeted) {
        expected.add(30);
      }
      expected.add(30); // the promoted version, for everyone
      assertThat(received(clients.get(i), key)).as("pod-" + i + " live").isEqualTo(expected);
      assertThat(clients.get(i).errors).as("pod-" + i + " errors").isEmpty();
    }
  }

  @Test
  @DisplayName("a staged rollout whose targeted instances report failures rolls back within its first step, and no "
      + "untargeted instance ever applied the bad value")
  void failuresRollBack() {
    String key = PREFIX + ".timeout";
    node().put(key, ENV, 100);
    long quiet = marker("before-failures");
    HttpResponse<Buffer> started = post("/v1/rollouts?env=" + ENV, new JsonObject().put("key", key).put("value", 1)
        .put("selector", "zone=eu-1").put("failureThreshold", 3)
        .put("steps", new JsonArray().add(new JsonObject().put("percentage", 20).put("bake", "PT1H"))
            .add(new JsonObject().put("percentage", 100).put("bake", "PT1H"))));
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(201);
    long id = started.bodyAsJsonObject().getLong("id");
    long revision = started.bodyAsJsonObject().getLong("revision");
    marker("after-bad-start");
    List<Integer> targeted = new ArrayList<>();
    for (int i = 0; i < FLEET; i++) {
      if (received(clients.get(i), key, quiet).contains(1)) {
        targeted.add(i);
      }
    }
    assertThat(targeted).isNotEmpty().allMatch(TargetedChangesReachOnlyTargetedInstancesTest::eu);
    assertThat(targeted.size()).isLessThan(FLEET / 2);

    // the registry knows the fleet: every socket watches the key, the targeted ones are counted as such
    JsonObject instances = Eventually.value("the fleet in the registry", WAIT,
        () -> node().get("/v1/rollouts/" + id).bodyAsJsonObject().getJsonObject("instances"),
        fleet -> fleet.getInteger("connected") == FLEET);
    assertThat(instances.getInteger("targeted")).isEqualTo(targeted.size());

    // the targeted instances run it and fail: each acknowledges the rollout's revision with 2 failures
    for (int i : targeted) {
      JsonObject ack = new JsonObject().put("env", ENV).put("revision", revision)
          .put("keys", new JsonObject().put(key, 1)).put("failures", 2);
      assertThat(clients.get(i).request(Addresses.ACK, ack).await().getString("type")).isEqualTo("rec");
    }
    JsonObject rolledBack = Eventually.value("rollout " + id + " rolled back", WAIT,
        () -> node().get("/v1/rollouts/" + id).bodyAsJsonObject(), r -> r.getString("state").equals("rolled-back"));
    assertThat(rolledBack.getInteger("step")).isZero();
    // it rolls back as soon as the acks the registry holds add up to more than 3
    assertThat(rolledBack.getString("stopReason")).contains("failures reported by", "of the " + targeted.size()
        + " targeted instances", "over the threshold of 3");
    marker("after-rollback");
    for (int i = 0; i < FLEET; i++) {
      assertThat(received(clients.get(i), key, quiet)).as("pod-" + i)
          .isEqualTo(targeted.contains(i) ? List.of(1, 100) : List.of());
    }
    assertThat(node().get("/v1/config/" + key + "?env=" + ENV).bodyAsJsonObject().getInteger("value")).isEqualTo(100);
  }
}
