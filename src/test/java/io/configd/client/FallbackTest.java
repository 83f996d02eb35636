package io.configd.client;

import io.configd.model.ConfigValue;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.configd.TestNodeExtension;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.configd.Eventually;
import io.configd.TestServices;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** When the bridge or a node cannot be reached: HTTP polling, rotation through the nodes, a clear failure when none answers. */
@ExtendWith(VertxExtension.class)
@DisplayName("The Java client when a bridge or a node cannot be reached")
class FallbackTest {

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("ClientFallbackTest");

  private static final Duration WAIT = Duration.ofSeconds(10);

  private static ConfigClientBuilder client(String... urls) {
    return ConfigClient.builder().vertx(NODE.vertx()).nodes(List.of(urls)).token(NODE.node().adminToken())
        .backoff(Duration.ofMillis(50), Duration.ofMillis(300), 0.5)
        .requestTimeout(Duration.ofSeconds(2));
  }

  private static String nodeUrl() {
    return "http://127.0.0.1:" + NODE.node().port();
  }

  private static String deadUrl() {
    return "http://127.0.0.1:" + TestServices.freePort();
  }

  @Test
  @DisplayName("a client whose bridge is blocked loads and polls over HTTP, then goes back to the bridge when it answers")
  void pollsOverHttpThenReturnsToTheBridge() {
    ClientTestSupport.put(NODE.node(), "production", "poll.a", "one");
    HttpOnlyProxy proxy = HttpOnlyProxy.start(NODE.vertx(), NODE.node().port()).await();
    ConfigClient config = client("http://127.0.0.1:" + proxy.port()).pollInterval(Duration.ofMillis(100))
        .syncInterval(Duration.ofMillis(300)).watch("production", "poll").build();
    try {
      config.start().await();
      assertThat(config.connectionState()).isEqualTo(ConnectionState.HTTP_POLLING);
      assertThat(config.getString("poll.a")).isEqualTo("one");
      List<ConfigValue> seen = new CopyOnWriteArrayList<>();
      config.onChange("poll", seen::add);

      ClientTestSupport.put(NODE.node(), "production", "poll.a", "two");
      ClientTestSupport.put(NODE.node(), "production", "poll.b", 2);
      Eventually.await("the polled changes", WAIT, () -> seen.size() == 2);
      assertThat(config.getString("poll.a")).isEqualTo("two");

      proxy.allowWebSockets();
      Eventually.await("the bridge again", WAIT, () -> config.connectionState() == ConnectionState.BRIDGE);
      ClientTestSupport.put(NODE.node(), "production", "poll.a", "three");
      Eventually.await("the change after the switch", WAIT, () -> config.getString("poll.a").equals("three"));
      assertThat(seen).extracting(ConfigValue::value).containsExactly("two", 2, "three");
    } finally {
      config.close().await();
      proxy.stop().await();
    }
  }

  @Test
  @DisplayName("with the bridge turned off the client polls /v1/changes and sees deletions")
  void bridgeTurnedOff() {
    ClientTestSupport.put(NODE.node(), "staging", "off.x", 1);
    ConfigClient config = client(nodeUrl()).bridge(false).pollInterval(Duration.ofMillis(100))
        .watch("staging", "off").build();
    config.start().await();
    assertThat(config.connectionState()).isEqualTo(ConnectionState.HTTP_POLLING);
    assertThat(config.getInt("off.x")).isEqualTo(1);
    NODE.node().call(io.vertx.core.http.HttpMethod.DELETE, "/v1/config/off.x?env=staging", null);
    Eventually.await("the deletion", WAIT, () -> config.findInt("off.x").isEmpty());
    config.close().await();
  }

  @Test
  @DisplayName("a client given a dead node first rotates to the next listed node")
  void rotatesToTheNextNode() {
    ClientTestSupport.put(NODE.node(), "production", "rotate.k", "v");
    ConfigClient config = client(deadUrl(), nodeUrl()).watch("production", "rotate").build();
    config.start().await();
    assertThat(config.connectedNode()).contains(nodeUrl());
    assertThat(config.connectionState()).isEqualTo(ConnectionState.BRIDGE);
    assertThat(config.getString("rotate.k")).isEqualTo("v");
    config.close().await();
  }

  @Test
  @DisplayName("with no node answering and no snapshot file, start fails after the start timeout and the client closes")
  void noNodeNoFile() {
    ConfigClient config = client(deadUrl(), deadUrl()).startTimeout(Duration.ofMillis(700))
        .watch("production", "none").build();
    assertThatThrownBy(() -> config.start().await()).isInstanceOf(ConfigClientException.class)
        .hasMessageContaining("answered within").hasMessageContaining("no snapshot file");
    assertThat(config.connectionState()).isEqualTo(ConnectionState.CLOSED);
  }

  @Test
  @DisplayName("a client that made its own Vert.x closes it, and everything with it")
  void ownVertxIsClosed() {
    ConfigClient config = ConfigClient.builder().node(nodeUrl()).token(NODE.node().adminToken()).watch("production", "own").build();
    config.start().await();
    assertThat(config.connectionState()).isEqualTo(ConnectionState.BRIDGE);
    config.close().await();
    assertThat(config.connectionState()).isEqualTo(ConnectionState.CLOSED);
    assertThat(config.close().succeeded()).isTrue();
  }
}
