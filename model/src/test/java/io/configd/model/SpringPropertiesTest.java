package io.configd.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("configd values as Spring properties")
class SpringPropertiesTest {

  @Test
  @DisplayName("a key is a property of its name; objects and arrays become one property per member and element")
  void mapping() {
    Map<String, Object> values = Map.of(
        "services.payment.pool-size", 8,
        "services.payment.db", new JsonObject().put("url", "jdbc:x").put("pool", new JsonObject().put("max", 4)),
        "services.payment.hosts", new JsonArray().add("a").add(new JsonObject().put("port", 1)));
    assertThat(SpringProperties.of(values, "")).containsExactlyInAnyOrderEntriesOf(Map.of(
        "services.payment.pool-size", 8,
        "services.payment.db.url", "jdbc:x",
        "services.payment.db.pool.max", 4,
        "services.payment.hosts[0]", "a",
        "services.payment.hosts[1].port", 1));
  }

  @Test
  @DisplayName("with a prefix stripped, names are relative to it, and an object at the prefix itself lands at the top")
  void relative() {
    Map<String, Object> values = Map.of(
        "services.payment", new JsonObject().put("spring", new JsonObject().put("main", new JsonObject().put("banner-mode", "off"))),
        "services.payment.pool-size", 8);
    assertThat(SpringProperties.of(values, "services.payment")).containsExactlyInAnyOrderEntriesOf(Map.of(
        "spring.main.banner-mode", "off", "pool-size", 8));
    assertThat(SpringProperties.of(Map.of("services.payment", 3), "services.payment")).isEmpty();
  }

  @Test
  @DisplayName("a key written on its own wins over the member of an object at a shorter key")
  void ownKeyWins() {
    Map<String, Object> values = Map.of(
        "a.db", new JsonObject().put("url", "from-object").put("user", "u"),
        "a.db.url", "from-key");
    assertThat(SpringProperties.of(values, "a")).containsEntry("db.url", "from-key").containsEntry("db.user", "u");
  }
}
