package io.configd.instances;

import static io.configd.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.BridgeTestClient;
import io.configd.Eventually;
import io.configd.TestNodeExtension;
import io.configd.model.Addresses;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("The node lists the instances connected to it, what each applied, and forgets those that left")
class InstanceRegistryTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("InstanceRegistryTest", config -> config
      .put("instances", new JsonObject().put("heartbeatMillis", 100).put("staleMillis", 3_000)
          .put("forgetMillis", 2_000)));

  private static BridgeTestClient subscriber(String id, String zone, String prefix) {
    BridgeTestClient client = BridgeTestClient.connect(NODE.vertx(), NODE.node().port(), NODE.node().adminToken())
        .await();
    JsonObject hello = client.request(Addresses.HELLO, new JsonObject().put("instance", id).put("app", "payment")
        .put("labels", new JsonObject().put("zone", zone))).await();
    assertThat(hello.getString("type")).as("%s", hello).isEqualTo("rec");
    client.register(Addresses.change("production", prefix)).await();
    return client;
  }

  private static void ack(BridgeTestClient client, long revision, String key, int version) {
    JsonObject answer = client.request(Addresses.ACK, new JsonObject().put("env", "production")
        .put("revision", revision).put("keys", new JsonObject().put(key, version))).await();
    assertThat(answer.getString("type")).as("%s", answer).isEqualTo("rec");
  }

  private static Map<String, JsonObject> listed(String query) {
    var response = NODE.node().get("/v1/instances?env=production" + query + "&limit=1000");
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    Map<String, JsonObject> byId = new TreeMap<>();
    response.bodyAsJsonObject().getJsonArray("items").forEach(item -> byId.put(((JsonObject) item)
        .getString("instance"), (JsonObject) item));
    return byId;
  }

  private static JsonObject status(String key) {
    var response = NODE.node().get("/v1/config/" + key + "/status?env=production");
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  @Test
  @DisplayName("instances that said hello are listed with their labels, node and acks; /status counts who runs the "
      + "current version; one that disconnects is shown gone, then forgotten")
  void listedThenGoneThenForgotten() {
    String key = "reg.payment.timeout";
    JsonObject first = NODE.node().put(key, "production", 5).bodyAsJsonObject();
    JsonObject second = NODE.node().put(key, "production", 6).bodyAsJsonObject();
    List<BridgeTestClient> clients = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      clients.add(subscriber("reg-" + i, i % 2 == 0 ? "eu-1" : "us-1", "reg.payment"));
    }
    try {
      // four run version 2, two are still on version 1
      for (int i = 0; i < 6; i++) {
        boolean current = i < 4;
        ack(clients.get(i), current ? second.getLong("revision") : first.getLong("revision"), key, current ? 2 : 1);
      }
      Map<String, JsonObject> listed = Eventually.value("the six instances with their acks", WAIT,
          () -> listed("&prefix=reg"), found -> found.size() == 6
              && found.values().stream().allMatch(item -> item.getJsonObject("keys").containsKey(key)));
      JsonObject one = listed.get("reg-1");
      assertThat(one.getString("app")).isEqualTo("payment");
      assertThat(one.getJsonObject("labels")).isEqualTo(new JsonObject().put("zone", "us-1"));
      assertThat(one.getString("node")).isEqualTo(NODE.node().config().getJsonObject("node").getString("name"));
      assertThat(one.getString("state")).isEqualTo("connected");
      assertThat(one.getJsonArray("transports")).isEqualTo(new JsonArray().add("websocket"));
      assertThat(one.getJsonArray("watches")).isEqualTo(new JsonArray().add("reg.payment"));
      assertThat(one.getJsonObject("keys")).isEqualTo(new JsonObject().put(key, 2));
      assertThat(one.getLong("revision")).isEqualTo(second.getLong("revision"));
      assertThat(listed.get("reg-5").getJsonObject("keys")).isEqualTo(new JsonObject().put(key, 1));
      // a prefix elsewhere lists none of them; a prefix below their watch lists them all
      assertThat(listed("&prefix=other")).isEmpty();
      assertThat(listed("&prefix=reg.payment.timeout")).hasSize(6);

      JsonObject status = status(key);
      assertThat(status.getInteger("version")).isEqualTo(2);
      assertThat(status.getInteger("instances")).isEqualTo(6);
      assertThat(status.getInteger("current")).isEqualTo(4);
      assertThat(status.getJsonArray("behind").stream().map(item -> ((JsonObject) item).getString("instance")))
          .containsExactly("reg-4", "reg-5");
      assertThat(status.getJsonArray("behind").getJsonObject(0).getInteger("version")).isEqualTo(1);

      // an ack moves an instance to the current version
      ack(clients.get(4), second.getLong("revision"), key, 2);
      Eventually.await("reg-4 runs version 2", WAIT, () -> status(key).getInteger("current") == 5);

      // one leaves: shown gone (no longer counted), then forgotten
      clients.get(5).close().await();
      Map<String, JsonObject> gone = Eventually.value("reg-5 gone", WAIT, () -> listed("&prefix=reg"),
          found -> found.containsKey("reg-5") && found.get("reg-5").getString("state").equals("gone"));
      assertThat(gone.get("reg-5").getString("goneAt")).isNotNull();
      assertThat(listed("&prefix=reg&state=gone").keySet()).containsExactly("reg-5");
      assertThat(listed("&prefix=reg&state=connected")).hasSize(5);
      JsonObject after = status(key);
      assertThat(after.getInteger("instances")).isEqualTo(5);
      assertThat(after.getInteger("current")).isEqualTo(5);
      assertThat(after.getJsonArray("behind")).isEmpty();
      Eventually.await("reg-5 forgotten", WAIT, () -> !listed("&prefix=reg").containsKey("reg-5"));
      assertThat(listed("&prefix=reg")).hasSize(5);
    } finally {
      clients.forEach(client -> client.close().await());
    }
  }

  @Test
  @DisplayName("an instance reading over HTTP is listed while it reads, and its POST /v1/acks is recorded; bad acks change nothing")
  void httpReadersAndTheirAcks() {
    String key = "http.payment.pool";
    JsonObject written = NODE.node().put(key, "production", 10).bodyAsJsonObject();
    String identity = "&instance=poller-1&app=billing&labels=zone%3Deu-1";
    assertThat(NODE.node().get("/v1/config/" + key + "?env=production" + identity).statusCode()).isEqualTo(200);
    JsonObject ack = new JsonObject().put("env", "production").put("revision", written.getLong("revision"))
        .put("keys", new JsonObject().put(key, 1));
    var acked = NODE.node().call(HttpMethod.POST, "/v1/acks?instance=poller-1&app=billing&labels=zone%3Deu-1", ack);
    assertThat(acked.statusCode()).as(acked.bodyAsString()).isEqualTo(200);
    assertThat(acked.bodyAsJsonObject().getString("node")).isNotBlank();

    JsonObject listed = Eventually.value("the HTTP reader with its ack", WAIT, () -> listed("&prefix=http"),
        found -> found.containsKey("poller-1") && !found.get("poller-1").getJsonObject("keys").isEmpty()).get("poller-1");
    assertThat(listed.getJsonArray("transports")).isEqualTo(new JsonArray().add("http"));
    assertThat(listed.getJsonObject("labels")).isEqualTo(new JsonObject().put("zone", "eu-1"));
    assertThat(listed.getJsonObject("keys")).isEqualTo(new JsonObject().put(key, 1));
    assertThat(status(key).getInteger("current")).isEqualTo(1);

    // bad acks: refused, and the recorded ack stays as it was
    String uri = "/v1/acks?instance=poller-1";
    assertProblem(NODE.node().call(HttpMethod.POST, "/v1/acks", ack), 400, "invalid-instance");
    assertProblem(NODE.node().call(HttpMethod.POST, uri, ack.copy().put("env", "moon")), 400, "unknown-environment");
    assertProblem(NODE.node().call(HttpMethod.POST, uri, ack.copy().put("revision", "7")), 400, "invalid-instance");
    assertProblem(NODE.node().call(HttpMethod.POST, uri, ack.copy().put("keys", new JsonObject().put(key, -1))), 400,
        "invalid-instance");
    assertProblem(NODE.node().call(HttpMethod.POST, uri, ack.copy().put("extra", 1)), 400, "invalid-body");
    assertProblem(NODE.node().call(HttpMethod.POST, uri + "&labels=zone%3D%21", ack), 400, "invalid-instance");
    assertProblem(NODE.node().call(HttpMethod.POST, uri, "not json", "Content-Type", "application/json"), 400,
        "invalid-body");
    String reader = NODE.node().createToken("other-reader", "production", "other", "read");
    assertProblem(NODE.node().as(reader).call(HttpMethod.POST, uri, ack), 403, "forbidden");
    // the instance stopped reading: gone once staleMillis passed without a read
    Eventually.await("poller-1 gone", WAIT, () -> listed("&prefix=http").get("poller-1").getString("state")
        .equals("gone"));
    assertThat(listed("&prefix=http").get("poller-1").getJsonObject("keys")).isEqualTo(new JsonObject().put(key, 1));
  }

  @Test
  @DisplayName("a Java client that polls over HTTP names its instance in headers and acknowledges with POST /v1/acks")
  void javaClientOverHttp() {
    String key = "poll.payment.limit";
    NODE.node().put(key, "production", 1);
    io.configd.client.ConfigClient client = io.configd.client.ConfigClient.builder().vertx(NODE.vertx())
        .node("http://127.0.0.1:" + NODE.node().port()).watch("production", "poll").token(NODE.node().adminToken())
        .bridge(false).pollInterval(Duration.ofMillis(200)).instance("poller-java").app("limits")
        .label("zone", "eu-2").build();
    try {
      client.start().await();
      JsonObject listed = Eventually.value("the polling client with its ack", WAIT, () -> listed("&prefix=poll"),
          found -> found.containsKey("poller-java") && found.get("poller-java").getJsonObject("keys").getInteger(key, 0) == 1)
          .get("poller-java");
      assertThat(listed.getJsonArray("transports")).isEqualTo(new JsonArray().add("http"));
      assertThat(listed.getJsonObject("labels")).isEqualTo(new JsonObject().put("zone", "eu-2"));
      assertThat(listed.getString("state")).isEqualTo("connected");
      NODE.node().put(key, "production", 2);
      Eventually.await("the polling client's ack of version 2", WAIT, () -> status(key).getInteger("current") == 1
          && status(key).getInteger("version") == 2);
    } finally {
      client.close().await();
    }
  }

  @Test
  @DisplayName("a TCP bridge socket and an SSE watch name their instance too, and the node's gauge counts them")
  void tcpAndSse() throws Exception {
    NODE.node().put("wire.tcp.k", "production", 1);
    io.vertx.core.net.NetClient net = NODE.vertx().createNetClient();
    io.vertx.core.net.NetSocket socket = net.connect(NODE.node().bridgeTcpPort(), "127.0.0.1").await();
    List<JsonObject> frames = new java.util.concurrent.CopyOnWriteArrayList<>();
    io.vertx.core.parsetools.RecordParser parser = io.vertx.core.parsetools.RecordParser.newFixed(4);
    int[] length = {-1};
    parser.handler(record -> {
      if (length[0] < 0) {
        length[0] = record.getInt(0);
        parser.fixedSizeMode(length[0]);
      } else {
        frames.add(new JsonObject(record));
        length[0] = -1;
        parser.fixedSizeMode(4);
      }
    });
    socket.handler(parser);
    JsonObject headers = new JsonObject().put("Authorization", "Bearer " + NODE.node().adminToken());
    for (JsonObject frame : List.of(
        new JsonObject().put("type", "send").put("address", Addresses.HELLO).put("replyAddress", "h1")
            .put("body", new JsonObject().put("instance", "tcp-1").put("labels", new JsonObject().put("zone", "eu-3"))),
        new JsonObject().put("type", "register").put("address", "config.production.wire.tcp"),
        new JsonObject().put("type", "send").put("address", Addresses.ACK).put("replyAddress", "a1")
            .put("body", new JsonObject().put("env", "production").put("revision", 1)
                .put("keys", new JsonObject().put("wire.tcp.k", 1))))) {
      io.vertx.core.buffer.Buffer encoded = frame.put("headers", headers).toBuffer();
      socket.write(io.vertx.core.buffer.Buffer.buffer().appendInt(encoded.length()).appendBuffer(encoded)).await();
    }
    Eventually.await("the hello and the ack answered", WAIT, () -> frames.stream()
        .filter(f -> "message".equals(f.getString("type"))).count() == 2);

    var sse = new java.net.URL("http://127.0.0.1:" + NODE.node().port()
        + "/v1/watch?env=production&prefix=wire.sse&instance=sse-1&app=dashboard&labels=zone%3Deu-4")
        .openConnection();
    sse.setRequestProperty("Authorization", "Bearer " + NODE.node().adminToken());
    try (java.io.InputStream stream = sse.getInputStream()) {
      Map<String, JsonObject> listed = Eventually.value("the TCP and SSE instances", WAIT, () -> listed("&prefix=wire"),
          found -> found.containsKey("tcp-1") && found.containsKey("sse-1")
              && found.get("tcp-1").getJsonObject("keys").containsKey("wire.tcp.k"));
      assertThat(listed.get("tcp-1").getJsonArray("transports")).isEqualTo(new JsonArray().add("tcp"));
      assertThat(listed.get("tcp-1").getJsonArray("watches")).isEqualTo(new JsonArray().add("wire.tcp"));
      assertThat(listed.get("sse-1").getJsonArray("transports")).isEqualTo(new JsonArray().add("sse"));
      assertThat(listed.get("sse-1").getJsonArray("watches")).isEqualTo(new JsonArray().add("wire.sse"));
      assertThat(listed.get("sse-1").getString("app")).isEqualTo("dashboard");
      String metrics = NODE.node().http().get("/metrics").send().await().bodyAsString();
      assertThat(metrics).containsPattern("(?m)^configd_instances(\\{[^}]*\\})? [1-9]");
    } finally {
      net.close().await();
    }
  }

  @Test
  @DisplayName("listing needs read on the whole prefix, /status read on the key; bad parameters are 400, an unknown key 404")
  void accessAndBadParameters() {
    NODE.node().put("acc.payment.url", "production", "x");
    String payment = NODE.node().createToken("payment-reader", "production", "acc.payment", "read");
    assertThat(NODE.node().as(payment).get("/v1/instances?env=production&prefix=acc.payment").statusCode())
        .isEqualTo(200);
    assertProblem(NODE.node().as(payment).get("/v1/instances?env=production&prefix=acc"), 403, "forbidden");
    assertProblem(NODE.node().as(payment).get("/v1/instances?env=staging&prefix=acc.payment"), 403, "forbidden");
    assertThat(NODE.node().as(payment).get("/v1/config/acc.payment.url/status?env=production").statusCode())
        .isEqualTo(200);
    String other = NODE.node().createToken("other-reader-2", "production", "other", "read");
    assertProblem(NODE.node().as(other).get("/v1/config/acc.payment.url/status?env=production"), 403, "forbidden");

    assertProblem(NODE.node().get("/v1/instances?env=moon"), 400, "unknown-environment");
    assertProblem(NODE.node().get("/v1/instances?env=production&state=asleep"), 400, "invalid-parameter");
    assertProblem(NODE.node().get("/v1/instances?env=production&limit=0"), 400, "invalid-parameter");
    assertProblem(NODE.node().get("/v1/instances?env=production&prefix=a..b"), 400, "invalid-parameter");
    assertProblem(NODE.node().get("/v1/config/acc.payment.none/status?env=production"), 404, "not-found");
    assertProblem(NODE.node().get("/v1/config/acc..x/status?env=production"), 400, "invalid-key");
  }
}
