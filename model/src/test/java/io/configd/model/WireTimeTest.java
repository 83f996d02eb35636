package io.configd.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Reading the change model's times")
class WireTimeTest {

  private static final long FIRST_SECOND = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
  private static final long LAST_SECOND = Instant.parse("9999-12-31T23:59:59.999999999Z").getEpochSecond();

  /**
   * An instant of the years 0 to 9999 (its second below {@code secondBound}), the i-th of a run: whole seconds,
   * milliseconds, microseconds and nanoseconds in turn (Instant.toString writes each with its own number of digits).
   */
  private static Instant randomInstant(SplittableRandom random, int i, long secondBound) {
    int nanos = switch (i % 4) {
      case 0 -> 0;
      case 1 -> random.nextInt(1_000) * 1_000_000;
      case 2 -> random.nextInt(1_000_000) * 1_000;
      default -> random.nextInt(1_000_000_000);
    };
    return Instant.ofEpochSecond(random.nextLong(FIRST_SECOND, secondBound), nanos);
  }

  @Test
  @DisplayName("reads every time Instant.toString writes as Instant.parse does, whole seconds and fractions alike")
  void readsWhatInstantWrites() {
    SplittableRandom random = new SplittableRandom(18);
    for (int i = 0; i < 100_000; i++) {
      Instant instant = randomInstant(random, i, LAST_SECOND);
      assertThat(WireTime.parse(instant.toString())).isEqualTo(instant);
    }
    assertThat(WireTime.parse("2024-02-29T23:59:59.5Z")).isEqualTo(Instant.parse("2024-02-29T23:59:59.5Z"));
  }

  @Test
  @DisplayName("writes every time as Instant.toString does, inside the years 0 to 9999 and outside")
  void writesAsInstantDoes() {
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 100_000; i++) {
      Instant instant = randomInstant(random, i, LAST_SECOND + 1);
      assertThat(WireTime.format(instant)).isEqualTo(instant.toString());
    }
    for (Instant edge : List.of(Instant.EPOCH, Instant.ofEpochSecond(FIRST_SECOND),
        Instant.ofEpochSecond(LAST_SECOND, 999_999_999), Instant.ofEpochSecond(FIRST_SECOND - 1),
        Instant.ofEpochSecond(LAST_SECOND + 1), Instant.ofEpochSecond(-1, 1), Instant.MIN,
        Instant.MAX, Instant.parse("2024-02-29T23:59:59.000000001Z"))) {
      assertThat(WireTime.format(edge)).isEqualTo(edge.toString());
    }
  }

  @Test
  @DisplayName("reads the other forms Instant.parse takes (24:00, an offset, lower case, a bare point) as it does")
  void readsOtherForms() {
    for (String text : List.of("2026-12-03T24:00:00Z", "2026-12-03T10:15:30+01:00", "2026-12-03t10:15:30z",
        "+10000-01-01T00:00:00Z", "2026-12-31T23:59:60Z",
        "2026-12-03T10:00:00.Z")) {
      assertThat(WireTime.parse(text)).as(text).isEqualTo(Instant.parse(text));
    }
  }

  @Test
  @DisplayName("refuses what Instant.parse refuses, with its DateTimeParseException")
  void refusesWhatInstantRefuses() {
    for (String text : List.of("yesterday", "2026-02-30T10:00:00Z", "2026-13-01T10:00:00Z", "2026-12-03T10:60:00Z",
        "2026-12-03T10:00:00.1234567890Z", "2026-12-03 10:00:00Z", "2026-12-03T1a:00:00Z",
        "2025-02-29T10:00:00Z", "")) {
      assertThatThrownBy(() -> Instant.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
      assertThatThrownBy(() -> WireTime.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
    }
  }
}
