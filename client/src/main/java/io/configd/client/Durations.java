package io.configd.client;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations written as ISO-8601 (PT30S, P1D) or as a number and a unit (500ms, 30s, 5m, 2h, 1d). */
final class Durations {

  private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private Durations() {
  }

  /** @throws IllegalArgumentException when the text is neither form */
  static Duration parse(String text) {
    String trimmed = text.trim();
    Matcher simple = SIMPLE.matcher(trimmed.toLowerCase(java.util.Locale.ROOT));
    if (simple.matches()) {
      long amount = Long.parseLong(simple.group(1));
      return switch (simple.group(2)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> Duration.ofDays(amount);
      };
    }
    try {
      return Duration.parse(trimmed);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + text + "' is not a duration; write ISO-8601 (PT30S) or a number and "
          + "a unit: ms, s, m, h, d (e.g. 500ms, 30s, 5m)");
    }
  }
}
