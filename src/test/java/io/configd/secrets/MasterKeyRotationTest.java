package io.configd.secrets;

import static io.configd.secrets.SecretsExistInClearOnlyForTheirReadersTest.newMasterKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.configd.Eventually;
import io.configd.NodeProcess;
import io.configd.StreamTesting;
import io.configd.TestNode;
import io.configd.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Master keys: rotation re-encrypts every secret under the new key while the node serves, after which the old key
 * can be removed; a node started with a wrong key, or without the key its secrets are wrapped by, stops with a clear
 * message instead of serving garbage.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("Master key rotation and start-up checks")
class MasterKeyRotationTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  private static JsonObject withKeys(JsonObject config, String masterKeys) {
    JsonObject copy = TestServices.anotherNode(config, config.getJsonObject("node").getString("name"));
    copy.put("secrets", new JsonObject().put("masterKey", masterKeys).put("reencryptIntervalMs", 100)
        .put("reencryptBatchSize", 3));
    return copy;
  }

  @Test
  @DisplayName("rotation re-encrypts every secret under the new key; the node then starts with the new key alone and serves every secret, and refuses the old one alone")
  void rotation(Vertx vertx) throws Exception {
    JsonObject config = StreamTesting.streamConfig("MasterKeyRotationTest");
    String k1 = newMasterKey("k1");
    String k2 = newMasterKey("k2");
    Map<String, List<String>> secrets = new LinkedHashMap<>();
    TestNode node = TestNode.start(vertx, withKeys(config, k1)).await();
    try {
      for (int i = 0; i < 4; i++) {
        String key = "services.payment.secret" + i;
        List<String> values = List.of("one-" + UUID.randomUUID(), "two-" + UUID.randomUUID());
        secrets.put(key, values);
        assertThat(node.call(HttpMethod.PUT, "/v1/config/" + key + "?env=production",
            new JsonObject().put("value", values.get(0)).put("secret", true)).statusCode()).isEqualTo(201);
        assertThat(node.put(key, "production", values.get(1)).statusCode()).isEqualTo(200);
      }
      assertThat(node.put("services.payment.plain", "production", "visible").statusCode()).isEqualTo(201);
      JsonObject before = node.get("/v1/secrets/status").bodyAsJsonObject();
      assertThat(before.getString("primaryMasterKey")).isEqualTo("k1");
      assertThat(before.getJsonObject("reencryption").getBoolean("complete")).isTrue();
    } finally {
      node.stop().await();
    }

    // the new key first, the old one still there to unwrap: the node re-encrypts in the background, serving meanwhile
    node = TestNode.start(vertx, withKeys(config, k2 + "," + k1)).await();
    try {
      assertServesEverySecret(node, secrets);
      TestNode rotating = node;
      Eventually.await("the re-encryption to complete", WAIT, () -> {
        JsonObject status = rotating.get("/v1/secrets/status").bodyAsJsonObject();
        return status.getJsonObject("reencryption").getBoolean("complete")
            && status.getJsonArray("removableMasterKeys").contains("k1");
      });
      JsonObject status = node.get("/v1/secrets/status").bodyAsJsonObject();
      int active = status.getInteger("activeDataKey");
      assertThat(status.getJsonArray("dataKeys")).allSatisfy(key ->
          assertThat(((JsonObject) key).getString("wrappedBy")).isEqualTo("k2"));
      assertThat(StreamTesting.queryLong(config, "select count(*) from config_version where sealed is not null"))
          .isEqualTo(8);
      assertThat(StreamTesting.queryLong(config, "select count(*) from config_version where sealed is not null "
          + "and data_key <> " + active)).isZero();
      assertThat(StreamTesting.queryLong(config, "select count(*) from config_entry where sealed is not null "
          + "and data_key <> " + active)).isZero();
      assertThat(StreamTesting.queryLong(config, "select count(*) from secret_data_key where master_key <> 'k2'"))
          .isZero();
      assertServesEverySecret(node, secrets);
    } finally {
      node.stop().await();
    }

    // the old key removed: every secret is still served, every version of it
    node = TestNode.start(vertx, withKeys(config, k2)).await();
    try {
      assertServesEverySecret(node, secrets);
      String later = "three-" + UUID.randomUUID();
      assertThat(node.put("services.payment.secret0", "production", later).statusCode()).isEqualTo(200);
      assertThat(node.get("/v1/config/services.payment.secret0?env=production").bodyAsJsonObject().getString("value"))
          .isEqualTo(later);
    } finally {
      node.stop().await();
    }

    // the old key alone cannot open what the new one wraps: the node does not start
    assertThatThrownBy(() -> TestNode.start(vertx, withKeys(config, k1)).await())
        .hasMessageContaining("wrapped by master key(s) [k2]")
        .hasMessageContaining("configd stops");
    // nor does it without any key, on a database that holds secrets
    assertThatThrownBy(() -> TestNode.start(vertx, withKeys(config, "")).await())
        .hasMessageContaining("wrapped by master key(s) [k2]");
  }

  @Test
  @DisplayName("a wrong master key at start-up stops the node (exit 1) with a clear message, before it serves anything")
  void wrongMasterKeyStopsTheNode(Vertx vertx) throws Exception {
    JsonObject config = StreamTesting.streamConfig("MasterKeyRotationTestWrongKey");
    TestNode node = TestNode.start(vertx, withKeys(config, newMasterKey("k1"))).await();
    try {
      assertThat(node.call(HttpMethod.PUT, "/v1/config/services.payment.pw?env=production",
          new JsonObject().put("value", "pw-" + UUID.randomUUID()).put("secret", true)).statusCode()).isEqualTo(201);
    } finally {
      node.stop().await();
    }
    String wrong = newMasterKey("k1");
    assertThatThrownBy(() -> TestNode.start(vertx, withKeys(config, wrong)).await())
        .hasMessageContaining("the master key configured as 'k1' is not the key this database knows under that id");

    JsonObject processConfig = withKeys(config, wrong);
    processConfig.getJsonObject("node").put("name", "wrong-key-" + UUID.randomUUID().toString().substring(0, 8));
    NodeProcess process = NodeProcess.start(processConfig);
    assertThat(process.awaitExit(WAIT)).isEqualTo(1);
    String log = Files.readString(Path.of("target/nodes/" + process.name() + ".log"));
    assertThat(log).contains("configd failed to start")
        .contains("the master key configured as 'k1' is not the key this database knows under that id")
        .doesNotContain(wrong.substring(3));
  }

  private static void assertServesEverySecret(TestNode node, Map<String, List<String>> secrets) {
    secrets.forEach((key, values) -> {
      JsonObject current = node.get("/v1/config/" + key + "?env=production").bodyAsJsonObject();
      assertThat(current.getString("value")).as(key).isEqualTo(values.get(1));
      JsonArray history = node.get("/v1/config/" + key + "/versions?env=production").bodyAsJsonObject()
          .getJsonArray("items");
      assertThat(history.stream().map(item -> ((JsonObject) item).getString("value")).toList())
          .as(key + " history").containsExactly(values.get(1), values.get(0));
    });
  }
}
