package io.configd.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The Redis circuit breaker")
class BreakerTest {

  private long now;
  private final List<String> changes = new ArrayList<>();
  private final Breaker breaker = new Breaker(3, 1_000, () -> now, (from, to) -> changes.add(from + "->" + to));

  @Test
  @DisplayName("opens after the configured failures in a row and then refuses every call until the reset time")
  void opensAndRefuses() {
    breaker.failed();
    breaker.succeeded(); // a success in between resets the count
    breaker.failed();
    breaker.failed();
    assertThat(breaker.state()).isEqualTo(Breaker.State.CLOSED);
    breaker.failed();
    assertThat(breaker.state()).isEqualTo(Breaker.State.OPEN);
    now += 999;
    assertThat(breaker.allow()).isFalse();
    assertThat(breaker.timesOpened()).isEqualTo(1);
  }

  @Test
  @DisplayName("after the reset time lets exactly one probe through, which closes it on success")
  void probeCloses() {
    open();
    now += 1_000;
    assertThat(breaker.allow()).isTrue();
    assertThat(breaker.state()).isEqualTo(Breaker.State.HALF_OPEN);
    assertThat(breaker.allow()).as("a second call while the probe is out").isFalse();
    breaker.succeeded();
    assertThat(breaker.state()).isEqualTo(Breaker.State.CLOSED);
    assertThat(breaker.allow()).isTrue();
    assertThat(changes).containsExactly("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->CLOSED");
  }

  @Test
  @DisplayName("opens again for another reset period when the probe fails")
  void probeFails() {
    open();
    now += 1_000;
    assertThat(breaker.allow()).isTrue();
    breaker.failed();
    assertThat(breaker.state()).isEqualTo(Breaker.State.OPEN);
    assertThat(breaker.allow()).isFalse();
    assertThat(breaker.timesOpened()).isEqualTo(2);
  }

  private void open() {
    for (int i = 0; i < 3; i++) {
      breaker.failed();
    }
  }
}
