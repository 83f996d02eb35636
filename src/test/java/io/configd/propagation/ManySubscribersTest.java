package io.configd.propagation;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.configd.TestNodeExtension;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.BridgeTestClient;
import io.configd.Eventually;
import io.configd.model.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** 2,000 WebSocket subscribers on one node, each must get every change (10,000 is the benchmark's job). */
@ExtendWith(VertxExtension.class)
@DisplayName("Fan-out to many subscribers")
class ManySubscribersTest {

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("ManySubscribersTest");

  private static final int SUBSCRIBERS = 2000;
  private static final int CHANGES = 20;

  @Test
  @DisplayName("2,000 concurrent WebSocket subscribers each receive every one of 20 changes")
  void everySubscriberGetsEveryChange(Vertx vertx) {
    WebSocketClient sockets = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(SUBSCRIBERS * 2));
    List<BridgeTestClient> subscribers = new ArrayList<>();
    for (int batch = 0; batch < SUBSCRIBERS; batch += 200) {
      List<Future<BridgeTestClient>> connecting = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        String address = i % 2 == 0 ? "config.production.fan" : "config.production.fan.key" + (i % 4 == 1 ? "1" : "2");
        connecting.add(BridgeTestClient.connect(sockets, NODE.node().port(), false, NODE.node().adminToken())
            .compose(client -> client.register(address).map(client)));
      }
      Future.all(connecting).await();
      connecting.forEach(f -> subscribers.add(f.result()));
    }
    // One round trip per socket proves each registration is in place before the first write.
    Future.all(subscribers.stream().map(s -> s.request(Addresses.SNAPSHOT,
        new JsonObject().put("env", "production").put("prefix", "nothing"))).toList()).await();
    assertThat(NODE.node().get("/v1/stats/bridge").bodyAsJsonObject().getLong("connected")).isGreaterThanOrEqualTo(SUBSCRIBERS);

    for (int i = 0; i < CHANGES; i++) {
      NODE.node().put("fan.key" + (i % 2 == 0 ? "1" : "2"), "production", i);
    }
    // Prefix subscribers get all 20; key subscribers the 10 of their key.
    Eventually.await("every change at every subscriber", Duration.ofSeconds(60),
        () -> subscribers.stream().allMatch(s -> s.messages.size() >= CHANGES / 2
            && (!s.messages.get(0).getString("address").equals("config.production.fan") || s.messages.size() >= CHANGES)));

    long total = subscribers.stream().mapToLong(s -> s.messages.size()).sum();
    assertThat(total).isEqualTo(SUBSCRIBERS / 2L * CHANGES + SUBSCRIBERS / 2L * CHANGES / 2);
    subscribers.forEach(s -> {
      List<Long> revisions = s.messages.stream().map(m -> m.getJsonObject("body").getLong("revision")).toList();
      assertThat(revisions).doesNotHaveDuplicates();
    });
    Future.all(subscribers.stream().map(BridgeTestClient::close).toList()).await();
    sockets.close().await();
  }
}
