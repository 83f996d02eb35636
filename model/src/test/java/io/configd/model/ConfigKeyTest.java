package io.configd.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Keys and prefixes")
class ConfigKeyTest {

  @Test
  @DisplayName("a key is dot-separated segments of letters, digits, underscore and dash, at most 256 characters")
  void grammar() {
    assertThat(ConfigKey.parse("services.payment.database_url").value()).isEqualTo("services.payment.database_url");
    assertThat(ConfigKey.parse("A-b_9").value()).isEqualTo("A-b_9");
    ConfigKey.parse("k".repeat(256));
    for (String bad : new String[] {"", ".", "a.", ".a", "a..b", "a b", "a/b", "é", "a*", "k".repeat(257)}) {
      assertThatThrownBy(() -> ConfigKey.parse(bad)).isInstanceOfSatisfying(ConfigdException.class,
          e -> assertThat(e.failure()).isEqualTo(Failure.INVALID_KEY));
    }
  }

  @Test
  @DisplayName("a key lists itself and every ancestor, nearest first")
  void ancestors() {
    assertThat(ConfigKey.parse("services.payment.url").selfAndAncestors())
        .containsExactly("services.payment.url", "services.payment", "services");
    assertThat(ConfigKey.parse("single").selfAndAncestors()).containsExactly("single");
  }

  @Test
  @DisplayName("a prefix matches whole segments only")
  void prefixes() {
    ConfigKey key = ConfigKey.parse("services.payment.url");
    assertThat(key.isUnder("services.payment")).isTrue();
    assertThat(key.isUnder("services.payment.url")).isTrue();
    assertThat(key.isUnder("")).isTrue();
    assertThat(key.isUnder("services.pay")).isFalse();
    assertThat(KeyPrefix.parse("services.").value()).isEqualTo("services");
    assertThat(KeyPrefix.parse(null).isAll()).isTrue();
    assertThatThrownBy(() -> KeyPrefix.parse("a..b")).isInstanceOf(ConfigdException.class);
  }

  @Test
  @DisplayName("change addresses are config.<env>.<path>, the environment's own address for the empty path")
  void addresses() {
    assertThat(Addresses.change("production", "services.payment")).isEqualTo("config.production.services.payment");
    assertThat(Addresses.change("production", "")).isEqualTo("config.production");
  }
}
