package io.configd.bridge;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.configd.TestNodeExtension;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.Eventually;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
  void receivesAChange() throws IOException {
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    Process process = new ProcessBuilder("node", "subscribe.js", "http://127.0.0.1:" + NODE.node().port() + "/eventbus",
        "config.production.js", "configd.cache.invalidate", NODE.node().adminToken())
        .directory(SCRIPT_DIR).redirectErrorStream(true).start();
    Thread reader = new Thread(() -> {
      try (var lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        lines.lines().forEach(line -> events.add(line.startsWith("{") ? new JsonObject(line)
            : new JsonObject().put("event", "output").put("line", line)));
      } catch (IOException e) {
        events.add(new JsonObject().put("event", "reader-failed").put("error", e.toString()));
      }
    });
    reader.start();
    try {
      Eventually.await("the JS client to register (events: " + events + ")", Duration.ofSeconds(30),
          () -> has(events, "ready"));
      assertThat(events).anySatisfy(e -> assertThat(e.getString("event")).isEqualTo("denied"));

      NODE.node().put("js.feature_flag", "production", true);

      Eventually.await("the change to reach the JS client (events: " + events + ")", Duration.ofSeconds(30),
          () -> has(events, "message"));
      JsonObject message = events.stream().filter(e -> "message".equals(e.getString("event"))).findFirst().orElseThrow();
      assertThat(message.getString("address")).isEqualTo("config.production.js");
      assertThat(message.getJsonObject("body").getString("key")).isEqualTo("js.feature_flag");
      assertThat(message.getJsonObject("body").getValue("value")).isEqualTo(true);
      assertThat(events).noneSatisfy(e -> assertThat(e.getString("event")).isEqualTo("leak"));
    } finally {
      process.destroy();
    }
  }

  private static boolean has(List<JsonObject> events, String event) {
    return events.stream().anyMatch(e -> event.equals(e.getString("event")));
  }
}
