package io.configd.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.configd.client.Watch;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("configd keys as Spring properties")
class ConfigdPropertySourceTest {

  @Test
  @DisplayName("a key written on its own wins over the member of an object, and the first watch over later ones")
  void precedence() {
    Map<String, Object> production = Map.of(
        "services.payment.db", new JsonObject().put("url", "from-object"),
        "services.payment.db.url", "from-key");
    Map<String, Object> staging = Map.of("services.payment.db.url", "staging", "services.payment.only", "staging");
    Map<String, Object> properties = ConfigdPropertySource.flatten(
        List.of(new Watch("production", "services.payment"), new Watch("staging", "services.payment")),
        env -> env.equals("production") ? production : staging);
    assertThat(properties).containsEntry("services.payment.db.url", "from-key")
        .containsEntry("services.payment.only", "staging");
  }

  @Test
  @DisplayName("configd.watch entries are env:prefix, and a malformed one is refused with the reason")
  void watches() {
    assertThat(ConfigdProperties.parseWatch("production:services.payment")).isEqualTo(new Watch("production", "services.payment"));
    assertThat(ConfigdProperties.parseWatch(" staging ")).isEqualTo(new Watch("staging", ""));
    assertThatThrownBy(() -> ConfigdProperties.parseWatch("production:services..payment"))
        .hasMessageContaining("configd.watch 'production:services..payment' is not env:prefix");
  }
}
