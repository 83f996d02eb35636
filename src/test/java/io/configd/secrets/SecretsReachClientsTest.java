package io.configd.secrets;

import static io.configd.secrets.SecretsExistInClearOnlyForTheirReadersTest.newMasterKey;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.Eventually;
import io.configd.NodeScript;
import io.configd.TestNodeExtension;
import io.configd.client.ConfigClient;
import io.configd.model.ConfigValue;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The clients receive a secret's clear value when their token has secret access, the mask otherwise: the Java client
 * (and the Spring Boot starter, built on it) and the Node.js client; configdctl: ConfigdctlSecretsTest.
 */
@DisplayName("Secrets reach the clients as their token allows")
class SecretsReachClientsTest {

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("SecretsReachClientsTest",
      config -> config.put("secrets", new JsonObject().put("masterKey", newMasterKey("k1"))));

  private static final Duration WAIT = Duration.ofSeconds(30);

  private static ConfigClient client(String token) {
    return ConfigClient.builder().vertx(NODE.vertx()).node("http://127.0.0.1:" + NODE.node().port()).token(token)
        .backoff(Duration.ofMillis(50), Duration.ofMillis(500), 0.5).syncInterval(Duration.ofMinutes(5))
        .watch("production", "app.payment").build();
  }

  @Test
  @DisplayName("the Java client loads and follows a secret in clear with secret access, as the mask without")
  void javaClient() {
    String first = "pw-" + UUID.randomUUID();
    assertThat(NODE.node().call(HttpMethod.PUT, "/v1/config/app.payment.password?env=production",
        new JsonObject().put("value", first).put("secret", true)).statusCode()).isEqualTo(201);
    ConfigClient allowed = client(NODE.node().createToken("java-secret", "production", "app.payment", "secret"));
    ConfigClient masked = client(NODE.node().createToken("java-read", "production", "app.payment", "read"));
    allowed.start().await();
    masked.start().await();
    try {
      assertThat(allowed.getString("app.payment.password")).isEqualTo(first);
      assertThat(masked.getString("app.payment.password")).isEqualTo(ConfigValue.MASK);
      String next = "pw-" + UUID.randomUUID();
      long revision = NODE.node().put("app.payment.password", "production", next).bodyAsJsonObject()
          .getLong("revision");
      Eventually.await("the live change in clear", WAIT, () -> next.equals(allowed.getString("app.payment.password")));
      Eventually.await("the live change, masked", WAIT,
          () -> masked.watermark("production", "app.payment").orElse(0) >= revision);
      assertThat(masked.getString("app.payment.password")).isEqualTo(ConfigValue.MASK);
    } finally {
      allowed.close().await();
      masked.close().await();
    }
  }

  @Test
  @DisplayName("the Node.js client gets the clear value with secret access, the mask without")
  void nodeClient() throws Exception {
    String value = "node-" + UUID.randomUUID();
    assertThat(NODE.node().call(HttpMethod.PUT, "/v1/config/app.payment.node_password?env=production",
        new JsonObject().put("value", value).put("secret", true)).statusCode()).isEqualTo(201);
    String url = "http://127.0.0.1:" + NODE.node().port();
    File client = new File("clients/node");
    try (NodeScript allowed = NodeScript.start(client, "bin/follow.js", url, "production:app.payment",
        NODE.node().createToken("node-secret", "production", "app.payment", "secret"));
         NodeScript masked = NodeScript.start(client, "bin/follow.js", url, "production:app.payment",
             NODE.node().createToken("node-read", "production", "app.payment", "read"))) {
      assertThat(allowed.await("started", WAIT).getJsonObject("values").getString("app.payment.node_password"))
          .isEqualTo(value);
      assertThat(masked.await("started", WAIT).getJsonObject("values").getString("app.payment.node_password"))
          .isEqualTo(ConfigValue.MASK);
    }
  }
}
