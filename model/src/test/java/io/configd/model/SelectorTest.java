package io.configd.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Label selectors")
class SelectorTest {

  private static final Map<String, String> EU_231 = Map.of("zone", "eu-1", "version", "2.3.1");
  private static final Map<String, String> US_231 = Map.of("zone", "us-1", "version", "2.3.1");
  private static final Map<String, String> EU_240 = Map.of("zone", "eu-1", "version", "2.4.0", "canary", "yes");

  @Test
  @DisplayName("every requirement must hold: equality and set membership")
  void andOfRequirements() {
    Selector selector = Selector.parse("zone=eu-1,version in (2.3.1, 2.3.2)");
    assertThat(selector.matches(EU_231)).isTrue();
    assertThat(selector.matches(US_231)).isFalse();
    assertThat(selector.matches(EU_240)).isFalse();
    assertThat(selector.matches(Map.of())).isFalse();
  }

  @Test
  @DisplayName("!=, notin and !label hold for an instance that lacks the label; label and = do not")
  void negations() {
    assertThat(Selector.parse("zone!=eu-1").matches(US_231)).isTrue();
    assertThat(Selector.parse("zone!=eu-1").matches(EU_231)).isFalse();
    assertThat(Selector.parse("zone!=eu-1").matches(Map.of())).isTrue();
    assertThat(Selector.parse("version notin (2.3.1)").matches(EU_240)).isTrue();
    assertThat(Selector.parse("version notin (2.3.1)").matches(EU_231)).isFalse();
    assertThat(Selector.parse("canary").matches(EU_240)).isTrue();
    assertThat(Selector.parse("canary").matches(EU_231)).isFalse();
    assertThat(Selector.parse("!canary").matches(EU_231)).isTrue();
    assertThat(Selector.parse("!canary").matches(EU_240)).isFalse();
    assertThat(Selector.parse("zone==eu-1").matches(EU_231)).isTrue();
  }

  @Test
  @DisplayName("one spelling: spaces normalised and set members sorted, so equal selectors compare equal")
  void canonical() {
    Selector selector = Selector.parse("  zone = eu-1 ,version in (2.3.2,2.3.1) , !canary");
    assertThat(selector).hasToString("zone=eu-1,version in (2.3.1, 2.3.2),!canary");
    assertThat(Selector.parse(selector.toString())).isEqualTo(selector);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "zone=", "=eu-1", "zone=eu 1", "zone in ()", "zone in (a,,b)", "zone in (a",
      "zone in a)", "zone in (a) x", "zone between (a, b)", "zone=eu-1,,version=1", "zone=eu-1,", "(zone=eu-1)",
      "zone in ((a))", "zo ne", "-zone", "zone=-eu"})
  @DisplayName("a malformed selector is refused with invalid-body, saying what is allowed")
  void refused(String text) {
    assertThatThrownBy(() -> Selector.parse(text))
        .isInstanceOfSatisfying(ConfigdException.class, e -> {
          assertThat(e.failure()).isEqualTo(Failure.INVALID_BODY);
          assertThat(e.getMessage()).contains("selector", "label in (a, b)");
        });
  }

  @Test
  @DisplayName("a selector longer than 1024 characters is refused")
  void tooLong() {
    assertThatThrownBy(() -> Selector.parse("a=" + "b".repeat(1100))).isInstanceOf(ConfigdException.class);
  }
}
