package io.configd.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.BridgeTestClient;
import io.configd.Eventually;
import io.configd.RawHttp;
import io.configd.TestNode;
import io.configd.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client that subscribes and then never reads: once its write queue is full the node drops the connection at once
 * (its close frame would wait behind the queue forever), and goes on serving everyone else.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Slow subscribers are aborted")
class SlowSubscribersAreAbortedTest {

  private static final String KEY = "slow.k";

  @Test
  @DisplayName("a WebSocket subscriber that never reads is disconnected within a bounded time while others are served")
  void nonReadingSocketIsAborted(Vertx vertx) throws Exception {
    JsonObject config = TestServices.nodeConfig("SlowSubscribersAreAbortedTest");
    config.getJsonObject("bridge").put("writeQueueMaxBytes", 64 * 1024).put("sendBufferBytes", 16 * 1024);
    TestNode node = TestNode.start(vertx, config).await();
    BridgeTestClient reader = null;
    try (RawHttp stuck = RawHttp.connect(node.port(), 4096)) {
      stuck.send("GET /eventbus/websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer "
          + node.adminToken() + "\r\n\r\n");
      assertThat(stuck.readHead()).startsWith("HTTP/1.1 101");
      stuck.send(maskedText(new JsonObject().put("type", "register").put("address", "config.production." + KEY).encode()));
      reader = BridgeTestClient.connect(vertx, node.port(), node.adminToken()).await();
      reader.register("config.production." + KEY).await();
      Eventually.await("both subscriptions", Duration.ofSeconds(30), () -> stats(node).getLong("subscriptions") >= 2);
      long connected = stats(node).getLong("connected");

      String big = "x".repeat(16 * 1024);
      int writes = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (stats(node).getLong("slowClosed") == 0) {
        assertThat(System.nanoTime()).as("the stuck client was marked slow within 120 s").isLessThan(deadline);
        assertThat(node.put(KEY, "production", big + writes).statusCode()).isEqualTo(writes == 0 ? 201 : 200);
        writes++;
        // the reading subscriber keeps up (each change reaches it before the next write), so only the stuck one is slow
        BridgeTestClient keepingUp = reader;
        int written = writes;
        Eventually.await("the reading subscriber got change " + written, Duration.ofSeconds(30),
            () -> keepingUp.messages.size() >= written);
      }
      Eventually.await("the stuck socket is gone from the node", Duration.ofSeconds(30),
          () -> stats(node).getLong("connected") == connected - 1);
      stuck.readUntilClosed(Duration.ofSeconds(30)); // the client sees the connection end too

      BridgeTestClient served = reader;
      int sent = writes;
      Eventually.await("the reading subscriber got every change", Duration.ofSeconds(30),
          () -> served.messages.size() == sent);
      assertThat(served.isClosed()).isFalse();
      assertThat(node.get("/health").statusCode()).isEqualTo(200);
    } finally {
      if (reader != null) {
        reader.close().await();
      }
      node.stop().await();
    }
  }

  private static JsonObject stats(TestNode node) {
    return node.get("/v1/stats/bridge").bodyAsJsonObject();
  }

  /** One client-to-server WebSocket text frame (RFC 6455: a client masks what it sends). */
  private static byte[] maskedText(String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    byte[] mask = {1, 2, 3, 4};
    ByteBuffer frame = ByteBuffer.allocate(payload.length + 14);
    frame.put((byte) 0x81);
    if (payload.length < 126) {
      frame.put((byte) (0x80 | payload.length));
    } else {
      frame.put((byte) (0x80 | 126)).putShort((short) payload.length);
    }
    frame.put(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.put((byte) (payload[i] ^ mask[i % 4]));
    }
    byte[] bytes = new byte[frame.position()];
    frame.flip().get(bytes);
    return bytes;
  }
}
