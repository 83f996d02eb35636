package io.configd.bridge;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.configd.TestNodeExtension;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.Eventually;
import io.configd.NodeScript;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.File;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The official JavaScript client, @vertx/eventbus-bridge-client.js under Node, against the SockJS bridge. */
@ExtendWith(VertxExtension.class)
@DisplayName("The official JavaScript bridge client")
class BridgeJavaScriptClientTest {

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("BridgeJavaScriptClientTest");

  private static final File SCRIPT_DIR = new File("src/test/js");

  @BeforeAll
  static void start() {
    if (!new File(SCRIPT_DIR, "node_modules/@vertx/eventbus-bridge-client.js").isDirectory()) {
      throw new IllegalStateException("src/test/js/node_modules is missing: run bin/test, or npm ci --prefix src/test/js");
    }
  }

  @Test
  @DisplayName("receives a change on a permitted address and gets access_denied for an internal one")
  void receivesAChange() throws Exception {
    try (NodeScript script = NodeScript.start(SCRIPT_DIR, "subscribe.js",
        "http://127.0.0.1:" + NODE.node().port() + "/eventbus", "config.production.js", "configd.cache.invalidate",
        NODE.node().adminToken())) {
      List<JsonObject> events = script.events();
      Eventually.await("the JS client to register (events: " + events + ")", Duration.ofSeconds(30),
          () -> script.has("ready"));
      assertThat(events).anySatisfy(e -> assertThat(e.getString("event")).isEqualTo("denied"));

      NODE.node().put("js.feature_flag", "production", true);

      Eventually.await("the change to reach the JS client (events: " + events + ")", Duration.ofSeconds(30),
          () -> script.has("message"));
      JsonObject message = events.stream().filter(e -> "message".equals(e.getString("event"))).findFirst().orElseThrow();
      assertThat(message.getString("address")).isEqualTo("config.production.js");
      assertThat(message.getJsonObject("body").getString("key")).isEqualTo("js.feature_flag");
      assertThat(message.getJsonObject("body").getValue("value")).isEqualTo(true);
      assertThat(events).noneSatisfy(e -> assertThat(e.getString("event")).isEqualTo("leak"));
    }
  }
}
