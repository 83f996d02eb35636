package io.configd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.TestNodeExtension;
import io.configd.model.ConfigValue;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** configdctl and secrets: it marks a key secret, and shows the clear value or the mask as its token allows. */
@DisplayName("configdctl with secrets")
class ConfigdctlSecretsTest {

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("ConfigdctlSecretsTest", config -> {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    config.put("secrets", new JsonObject().put("masterKey", "k1:" + Base64.getEncoder().encodeToString(key)));
  });

  @Test
  @DisplayName("configdctl put --secret makes a key secret; get shows the clear value or the mask as the token allows")
  void configdctl() {
    String value = "ctl-" + UUID.randomUUID();
    Ctl admin = new Ctl(NODE.node());
    assertThat(admin.run("put", "-e", "production", "app.payment.ctl_password", value, "--secret").exitCode()).isZero();
    String url = "http://127.0.0.1:" + NODE.node().port();
    Ctl secretReader = new Ctl(url, NODE.node().createToken("ctl-secret", "production", "app.payment", "secret"));
    Ctl reader = new Ctl(url, NODE.node().createToken("ctl-read", "production", "app.payment", "read"));
    assertThat(secretReader.run("get", "-e", "production", "app.payment.ctl_password").out()).isEqualTo(value + "\n");
    assertThat(reader.run("get", "-e", "production", "app.payment.ctl_password").out())
        .isEqualTo(ConfigValue.MASK + "\n");
    assertThat(reader.run("get", "-e", "production", "app.payment.ctl_password", "-o", "json").out())
        .contains("\"masked\":true").doesNotContain(value);
    assertThat(reader.run("history", "-e", "production", "app.payment.ctl_password").out()).doesNotContain(value);
  }
}
