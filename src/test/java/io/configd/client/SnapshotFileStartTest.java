package io.configd.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.model.ConfigValue;
import io.configd.Eventually;
import io.configd.TestNode;
import io.configd.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Issue 5, test 13 (DESIGN invariant 4): a service restarting while no node answers starts from its last good values. */
@ExtendWith(VertxExtension.class)
@DisplayName("The Java client's snapshot file")
class SnapshotFileStartTest {

  private static final Duration WAIT = Duration.ofSeconds(15);

  @Test
  @DisplayName("a client started while the server is down starts from its snapshot file, then syncs when the server comes up")
  void startsFromTheFileThenSyncs(Vertx vertx, @TempDir Path dir) throws Exception {
    JsonObject nodeConfig = TestServices.nodeConfig("SnapshotFileStartTest");
    int port = nodeConfig.getJsonObject("http").getInteger("port");
    Path file = dir.resolve("state").resolve("configd.json");
    TestNode node = TestNode.start(vertx, nodeConfig).await();
    ClientTestSupport.put(node, "production", "file.db.url", "pg://old");
    ClientTestSupport.put(node, "production", "file.db.pool", 4);
    ClientTestSupport.put(node, "production", "elsewhere.k", "not watched");

    ConfigClient first = client(vertx, port, file, TestServices.adminToken(nodeConfig)).build();
    first.start().await();
    first.close().await();
    JsonObject saved = new JsonObject(Files.readString(file));
    assertThat(saved.getJsonArray("watches")).hasSize(1);
    assertThat(saved.getJsonArray("values")).hasSize(2);
    assertThat(Files.list(file.getParent())).containsExactly(file);

    ClientTestSupport.put(node, "production", "file.db.url", "pg://new");
    ClientTestSupport.put(node, "production", "file.db.added", true);
    node.call(HttpMethod.DELETE, "/v1/config/file.db.pool?env=production", null);
    node.stop().await();

    ConfigClient second = client(vertx, port, file, TestServices.adminToken(nodeConfig)).build();
    second.start().await();
    assertThat(second.connectionState()).isEqualTo(ConnectionState.DISCONNECTED);
    assertThat(second.getString("file.db.url")).isEqualTo("pg://old");
    assertThat(second.getInt("file.db.pool")).isEqualTo(4);
    List<ConfigValue> seen = new CopyOnWriteArrayList<>();
    second.onChange("file", seen::add);

    TestNode again = TestNode.start(vertx, nodeConfig).await();
    try {
      Eventually.await("the newer values", WAIT, () -> second.getString("file.db.url").equals("pg://new"));
      assertThat(second.getBoolean("file.db.added")).isTrue();
      assertThat(second.findInt("file.db.pool")).isEmpty();
      assertThat(seen).extracting(ConfigValue::key).containsExactly("file.db.url", "file.db.added", "file.db.pool");
      // The first reconnect may land on the HTTP API (when the node comes up between the bridge attempt and the
      // HTTP one): the client then probes the bridge every sync interval and goes back to it.
      Eventually.await("the client to be back on the bridge (now " + second.connectionState() + ")", WAIT,
          () -> second.connectionState() == ConnectionState.BRIDGE);
      Eventually.await("the file to hold the synced values", WAIT,
          () -> readQuietly(file).contains("pg://new") && !readQuietly(file).contains("\"file.db.pool\""));
      second.close().await();
    } finally {
      again.stop().await();
    }
  }

  private static ConfigClientBuilder client(Vertx vertx, int port, Path file, String token) {
    return ConfigClient.builder().vertx(vertx).node("http://127.0.0.1:" + port).token(token).watch("production", "file")
        .snapshotFile(file).snapshotDebounce(Duration.ofMillis(50)).syncInterval(Duration.ofMillis(500))
        .backoff(Duration.ofMillis(50), Duration.ofMillis(200), 0.5);
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      return "";
    }
  }
}
