package io.configd.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The value model's JSON codec")
class ConfigValueTest {

  private static final ConfigValue VALUE = new ConfigValue("services.payment.pool", "production",
      new JsonObject().put("size", 20), 3, 41, false, true, "bigger pool", Instant.parse("2026-11-25T10:00:00Z"), "deploy");

  @Test
  @DisplayName("writes the entry with the members the API answers carry, and reads it back whole")
  void entryShape() {
    JsonObject json = VALUE.toJson();
    assertThat(json.fieldNames()).containsExactly("key", "env", "value", "version", "revision", "deleted", "critical",
        "updatedAt", "updatedBy", "comment");
    assertThat(ConfigValue.fromJson(json)).isEqualTo(VALUE);
  }

  @Test
  @DisplayName("writes the change message with updatedAt and updatedBy, as the entry, and no comment, and reads it back")
  void changeShape() {
    JsonObject json = VALUE.toChangeJson();
    assertThat(json.fieldNames()).containsExactly("key", "env", "value", "version", "revision", "updatedAt", "updatedBy",
        "deleted", "critical");
    assertThat(json.getString("updatedAt")).isEqualTo("2026-11-25T10:00:00Z");
    assertThat(ConfigValue.fromJson(json)).isEqualTo(new ConfigValue(VALUE.key(), VALUE.env(), VALUE.value(),
        VALUE.version(), VALUE.revision(), false, true, null, VALUE.updatedAt(), "deploy"));
  }

  @Test
  @DisplayName("refuses JSON that is not a value, saying which member is missing or wrong")
  void refusesOtherJson() {
    assertThatThrownBy(() -> ConfigValue.fromJson(new JsonObject().put("key", "a").put("env", "production")))
        .isInstanceOf(DecodeException.class).hasMessageContaining("'version' is missing");
    assertThatThrownBy(() -> ConfigValue.fromJson(VALUE.toChangeJson().put("revision", "forty-one")))
        .isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> ConfigValue.fromJson(VALUE.toChangeJson().put("updatedAt", "yesterday")))
        .isInstanceOf(DecodeException.class);
  }

  @Test
  @DisplayName("tells whether its key lies under a prefix, in whole segments")
  void isUnder() {
    assertThat(VALUE.isUnder("")).isTrue();
    assertThat(VALUE.isUnder("services.payment")).isTrue();
    assertThat(VALUE.isUnder("services.payment.pool")).isTrue();
    assertThat(VALUE.isUnder("services.pay")).isFalse();
  }
}
