package io.configd.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Targeting by selector and stable percentage")
class TargetingTest {

  private static Set<String> targeted(Targeting targeting, String key, int fleet) {
    Set<String> in = new HashSet<>();
    IntStream.range(0, fleet).mapToObj(i -> "pod-" + i)
        .filter(id -> targeting.matches(key, id, Map.of())).forEach(in::add);
    return in;
  }

  @Test
  @DisplayName("the instances inside 10 % are inside 50 % too, and the shares are about right")
  void growingPercentageOnlyAdds() {
    Set<String> ten = targeted(new Targeting(null, 1000), "services.payment.pool", 10_000);
    Set<String> fifty = targeted(new Targeting(null, 5000), "services.payment.pool", 10_000);
    assertThat(fifty).containsAll(ten);
    assertThat(ten.size()).isBetween(850, 1150);
    assertThat(fifty.size()).isBetween(4700, 5300);
    assertThat(targeted(new Targeting(null, 0), "k", 1000)).isEmpty();
    assertThat(targeted(new Targeting(null, Targeting.ALL), "k", 1000)).hasSize(1000);
  }

  @Test
  @DisplayName("the bucket is stable (SHA-256 of key and id) and differs per key, so different keys try different instances first")
  void stableBucket() {
    assertThat(Targeting.bucket("services.payment.pool", "pod-1")).isEqualTo(Targeting.bucket("services.payment.pool", "pod-1"));
    assertThat(Targeting.bucket("services.payment.pool", "pod-1")).isBetween(0, 9999);
    Set<String> a = targeted(new Targeting(null, 1000), "a", 2000);
    Set<String> b = targeted(new Targeting(null, 1000), "b", 2000);
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  @DisplayName("a selector and a percentage together: the percentage of the matching instances; an anonymous reader never")
  void selectorAndPercentage() {
    Targeting targeting = new Targeting(Selector.parse("zone=eu-1"), Targeting.ALL);
    assertThat(targeting.matches("k", "pod-1", Map.of("zone", "eu-1"))).isTrue();
    assertThat(targeting.matches("k", "pod-1", Map.of("zone", "us-1"))).isFalse();
    assertThat(targeting.matches("k", null, Map.of("zone", "eu-1"))).isFalse();
    assertThat(new Targeting(Selector.parse("zone=eu-1"), 0).matches("k", "pod-1", Map.of("zone", "eu-1"))).isFalse();
  }

  @Test
  @DisplayName("percentages are 0 to 100 with at most two decimals; nothing at all targeted is refused")
  void percentages() {
    assertThat(Targeting.basisPoints(10, "p")).isEqualTo(1000);
    assertThat(Targeting.basisPoints(0.5, "p")).isEqualTo(50);
    assertThat(Targeting.basisPoints(33.33, "p")).isEqualTo(3333);
    assertThat(Targeting.basisPoints(100, "p")).isEqualTo(10_000);
    assertThat(Targeting.percentage(1000)).isEqualTo(10);
    assertThat(Targeting.percentage(50)).isEqualTo(0.5);
    for (Object bad : new Object[] {-1, 100.01, 101, 0.001, "10", true}) {
      assertThatThrownBy(() -> Targeting.basisPoints(bad, "percentage")).isInstanceOfSatisfying(ConfigdException.class,
          e -> assertThat(e.failure()).isEqualTo(Failure.INVALID_BODY));
    }
    assertThatThrownBy(() -> new Targeting(null, null)).isInstanceOf(ConfigdException.class);
  }

  @Test
  @DisplayName("a rollout's change reaches only the instances it targets; a released version reaches everyone")
  void changesReach() {
    ConfigValue released = new ConfigValue("k", "production", 1, 3, 10, false, false, null, null, null, null);
    ConfigValue rollout = new ConfigValue("k", "production", 2, 3, 11, false, false, null, null, null, null,
        new ConfigValue.Rollout(7, ConfigValue.Rollout.TARGET, "zone=eu-1", null));
    assertThat(released.reaches(null, Map.of())).isTrue();
    assertThat(rollout.reaches(null, Map.of("zone", "eu-1"))).isFalse();
    assertThat(rollout.reaches("pod-1", Map.of("zone", "eu-1"))).isTrue();
    assertThat(rollout.reaches("pod-2", Map.of("zone", "us-1"))).isFalse();
    assertThat(ConfigValue.fromJson(rollout.toChangeJson())).isEqualTo(rollout);
    assertThat(rollout.toChangeJson().getJsonObject("rollout").encode())
        .isEqualTo("{\"id\":7,\"action\":\"target\",\"selector\":\"zone=eu-1\"}");
  }
}
