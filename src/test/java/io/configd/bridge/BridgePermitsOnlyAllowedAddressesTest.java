package io.configd.bridge;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.configd.TestNodeExtension;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.BridgeTestClient;
import io.configd.Eventually;
import io.configd.model.Addresses;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * DESIGN.md invariant 5: bridge clients can only receive on config.* addresses they may see and call
 * the snapshot and catch-up addresses; internal addresses stay out of reach, and abuse closes the socket
 * without harming the server.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("The bridge permits only allowed addresses")
class BridgePermitsOnlyAllowedAddressesTest {

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("BridgePermitsOnlyAllowedAddressesTest");

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  @Test
  @DisplayName("a REGISTER on an internal address is refused and leaks no message; a permitted one receives")
  void internalAddressesAreRefused() {
    BridgeTestClient client = BridgeTestClient.connect(NODE.vertx(), NODE.node().port(), NODE.node().adminToken()).await();
    for (String internal : List.of(Addresses.CACHE_INVALIDATE, Addresses.SNAPSHOT, "configd.anything", "config",
        "config.", "config.unknown-env", "config.production..x", "config.production.a b", "other.production")) {
      client.register(internal).await();
    }
    client.register("config.production.leak.check").await();
    Eventually.await("9 refusals", WAIT, () -> client.errors.size() == 9);
    assertThat(client.errors).allSatisfy(err -> assertThat(err.getString("body")).isEqualTo("access_denied"));

    NODE.vertx().eventBus().publish(Addresses.CACHE_INVALIDATE, new JsonObject().put("secret", true), LOCAL);
    NODE.vertx().eventBus().publish("configd.anything", new JsonObject().put("secret", true), LOCAL);
    NODE.vertx().eventBus().publish("config.production.leak.check", new JsonObject().put("allowed", true), LOCAL);

    Eventually.await("the permitted message", WAIT, () -> !client.messages.isEmpty());
    assertThat(client.messages).hasSize(1);
    assertThat(client.messages.get(0).getString("address")).isEqualTo("config.production.leak.check");
    assertThat(client.messages.get(0).getJsonObject("body").getBoolean("allowed")).isTrue();
    assertThat(client.isClosed()).isFalse();
    client.close().await();
  }

  @Test
  @DisplayName("sends to anything but the snapshot and catch-up addresses, and every publish, are refused")
  void onlySnapshotAndCatchUpMayBeCalled() {
    BridgeTestClient client = BridgeTestClient.connect(NODE.vertx(), NODE.node().port(), NODE.node().adminToken()).await();
    client.frame(new JsonObject().put("type", "send").put("address", Addresses.CACHE_INVALIDATE)
        .put("body", new JsonObject()).put("replyAddress", "r1")).await();
    client.frame(new JsonObject().put("type", "publish").put("address", "config.production.x")
        .put("body", new JsonObject())).await();
    client.frame(new JsonObject().put("type", "send").put("address", "config.production.x")
        .put("body", new JsonObject()).put("replyAddress", "r2")).await();
    Eventually.await("3 refusals", WAIT, () -> client.errors.size() == 3);
    assertThat(client.errors).allSatisfy(err -> assertThat(err.getString("body")).isEqualTo("access_denied"));

    JsonObject bad = client.request(Addresses.SNAPSHOT, new JsonObject().put("env", "nowhere")).await();
    assertThat(bad.getString("type")).isEqualTo("err");
    assertThat(bad.getString("message")).contains("unknown environment");
    client.close().await();
  }

  @Test
  @DisplayName("an over-long address, an oversized frame and repeated garbage each close the socket")
  void abuseClosesTheSocket() {
    BridgeTestClient longAddress = BridgeTestClient.connect(NODE.vertx(), NODE.node().port(), NODE.node().adminToken()).await();
    longAddress.register("config.production." + "a".repeat(400)).await();
    longAddress.closed().await();
    assertThat(longAddress.errors).extracting(err -> err.getString("body")).contains("address_too_long");

    BridgeTestClient oversized = BridgeTestClient.connect(NODE.vertx(), NODE.node().port(), NODE.node().adminToken()).await();
    oversized.raw("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(70_000) + "\"}");
    oversized.closed().await();

    BridgeTestClient garbage = BridgeTestClient.connect(NODE.vertx(), NODE.node().port(), NODE.node().adminToken()).await();
    garbage.raw("not json");
    garbage.raw("[1,2,3]");
    garbage.raw("{\"type\":\"dance\"}");
    garbage.closed().await();
    assertThat(garbage.errors).extracting(err -> err.getString("body")).containsOnly("invalid_frame");

    BridgeTestClient healthy = BridgeTestClient.connect(NODE.vertx(), NODE.node().port(), NODE.node().adminToken()).await();
    JsonObject snapshot = healthy.request(Addresses.SNAPSHOT, new JsonObject().put("env", "production")).await();
    assertThat(snapshot.getString("type")).isEqualTo("rec");
    assertThat(NODE.node().get("/health").statusCode()).isEqualTo(200);
    healthy.close().await();
  }

  @Test
  @DisplayName("registrations per socket are limited")
  void handlersPerSocketAreLimited() {
    BridgeTestClient client = BridgeTestClient.connect(NODE.vertx(), NODE.node().port(), NODE.node().adminToken()).await();
    for (int i = 0; i < 65; i++) {
      client.register("config.staging.limit.k" + i).await();
    }
    Eventually.await("the refusal of the 65th registration", WAIT, () -> !client.errors.isEmpty());
    assertThat(client.errors).hasSize(1);
    assertThat(client.errors.get(0).getString("body")).isEqualTo("too_many_handlers");
    client.close().await();
  }

  @Test
  @DisplayName("registrations refused for the handler limit count toward the refusal limit: a client that keeps trying "
      + "is closed")
  void tooManyHandlersCountAsRefusals() {
    BridgeTestClient client = BridgeTestClient.connect(NODE.vertx(), NODE.node().port(), NODE.node().adminToken()).await();
    // authenticated first, so that the registrations below do not wait in line for a token check
    client.request(Addresses.SNAPSHOT, new JsonObject().put("env", "staging").put("prefix", "flood")).await();
    for (int i = 0; i < 64 + 100 && !client.isClosed(); i++) {
      try {
        client.register("config.staging.flood.k" + i).await();
      } catch (RuntimeException closed) {
        break; // the node closed the socket under the write
      }
    }
    Eventually.await("the flooding socket closed", WAIT, client::isClosed);
    assertThat(client.errors).extracting(err -> err.getString("body")).contains("too_many_handlers", "too_many_requests");
    assertThat(client.errors.stream().filter(err -> err.getString("body").equals("too_many_handlers")).count())
        .as("refusals before the socket closed").isLessThanOrEqualTo(25);
  }

  @Test
  @DisplayName("a register, unregister or send whose address is missing or not a string gets an invalid_frame error")
  void addressMustBeAString() {
    BridgeTestClient client = BridgeTestClient.connect(NODE.vertx(), NODE.node().port(), NODE.node().adminToken()).await();
    client.frame(new JsonObject().put("type", "register").put("address", 5)).await();
    Eventually.await("an answer to the register", WAIT, () -> client.errors.size() == 1);
    assertThat(client.errors.get(0).getString("body")).isEqualTo("invalid_frame");
    assertThat(client.errors.get(0).getString("message")).contains("address");
    client.frame(new JsonObject().put("type", "unregister")).await();
    Eventually.await("an answer to the unregister", WAIT, () -> client.errors.size() == 2);
    client.frame(new JsonObject().put("type", "send").put("address", new JsonObject()).put("replyAddress", "r")
        .put("body", new JsonObject())).await();
    Eventually.await("the third invalid frame to close the socket", WAIT, client::isClosed);
    assertThat(client.errors).extracting(err -> err.getString("body")).containsOnly("invalid_frame");
  }

  @Test
  @DisplayName("the TCP bridge speaks length-prefixed frames, refuses internal addresses and closes on a bad length")
  void tcpBridge() {
    NetClient net = NODE.vertx().createNetClient();
    NetSocket socket = net.connect(NODE.node().bridgeTcpPort(), "127.0.0.1").await();
    List<JsonObject> frames = tcpFrames(socket);
    Promise<Void> closed = Promise.promise();
    socket.closeHandler(v -> closed.complete());
    tcpFrame(socket, new JsonObject().put("type", "register").put("address", Addresses.CACHE_INVALIDATE));
    tcpFrame(socket, new JsonObject().put("type", "ping"));
    tcpFrame(socket, new JsonObject().put("type", "send").put("address", Addresses.SNAPSHOT)
        .put("body", new JsonObject().put("env", "production")).put("replyAddress", "tcp-1"));
    Eventually.await("three answers", WAIT, () -> frames.size() >= 3);
    assertThat(frames).extracting(f -> f.getString("type")).containsExactlyInAnyOrder("err", "pong", "message");
    assertThat(frames).filteredOn(f -> "message".equals(f.getString("type")))
        .allSatisfy(f -> assertThat(f.getString("address")).isEqualTo("tcp-1"));

    socket.write(Buffer.buffer().appendInt(10_000_000)).await();
    closed.future().await();
    assertThat(frames).extracting(f -> f.getString("body")).contains("frame_too_large");
    net.close().await();
  }

  @Test
  @DisplayName("a transaction reaches a TCP bridge client as length-prefixed frames, one per change, each counting them")
  void tcpBridgeTransaction() {
    NetClient net = NODE.vertx().createNetClient();
    NetSocket socket = net.connect(NODE.node().bridgeTcpPort(), "127.0.0.1").await();
    List<JsonObject> frames = tcpFrames(socket);
    tcpFrame(socket, new JsonObject().put("type", "register").put("address", "config.production.tcptxn"));
    tcpFrame(socket, new JsonObject().put("type", "ping"));
    Eventually.await("the pong after the registration", WAIT, () -> !frames.isEmpty());
    JsonArray ops = new JsonArray();
    for (int i = 0; i < 3; i++) {
      ops.add(new JsonObject().put("op", "put").put("key", "tcptxn.k" + i).put("value", i));
    }
    var answer = NODE.node().call(HttpMethod.POST, "/v1/txn?env=production", new JsonObject().put("ops", ops));
    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);

    Eventually.await("the transaction's three frames", WAIT,
        () -> frames.stream().filter(f -> "message".equals(f.getString("type"))).count() >= 3);
    List<JsonObject> changes = frames.stream().filter(f -> "message".equals(f.getString("type"))).toList();
    assertThat(changes).hasSize(3).allSatisfy(f -> {
      assertThat(f.getString("address")).isEqualTo("config.production.tcptxn");
      assertThat(f.getJsonObject("body").getJsonObject("txn").getInteger("count")).isEqualTo(3);
    });
    assertThat(changes).extracting(f -> f.getJsonObject("body").getString("key"))
        .containsExactly("tcptxn.k0", "tcptxn.k1", "tcptxn.k2");
    net.close().await();
  }

  /** The frames the TCP bridge sends on {@code socket}, as they arrive. */
  private static List<JsonObject> tcpFrames(NetSocket socket) {
    List<JsonObject> frames = new CopyOnWriteArrayList<>();
    RecordParser parser = RecordParser.newFixed(4);
    parser.handler(new Handler<>() {
      private int length = -1;

      @Override
      public void handle(Buffer record) {
        if (length < 0) {
          length = record.getInt(0);
          parser.fixedSizeMode(length);
        } else {
          frames.add(new JsonObject(record));
          length = -1;
          parser.fixedSizeMode(4);
        }
      }
    });
    socket.handler(parser);
    return frames;
  }

  /** A frame with the admin token in its headers, as every TCP bridge client sends it. */
  private static void tcpFrame(NetSocket socket, JsonObject frame) {
    frame.put("headers", new JsonObject().put("Authorization", "Bearer " + NODE.node().adminToken()));
    byte[] bytes = frame.encode().getBytes(StandardCharsets.UTF_8);
    socket.write(Buffer.buffer().appendInt(bytes.length).appendBytes(bytes)).await();
  }
}
