package io.configd.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import java.util.regex.Pattern;
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
  @DisplayName("the grammar's check by hand accepts exactly what its regular expression matches")
  void grammarByHand() {
    Pattern grammar = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");
    String alphabet = "aZ09_-..*é /";
    SplittableRandom random = new SplittableRandom(18);
    int accepted = 0;
    for (int i = 0; i < 200_000; i++) {
      StringBuilder text = new StringBuilder();
      for (int n = random.nextInt(1, 8); n > 0; n--) {
        text.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      boolean matches = grammar.matcher(text).matches();
      assertThat(ConfigKey.grammatical(text.toString())).as(text.toString()).isEqualTo(matches);
      accepted += matches ? 1 : 0;
    }
    assertThat(accepted).isGreaterThan(1_000); // both outcomes were tried many times
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
