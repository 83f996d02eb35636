package io.configd.notify;

import java.util.regex.Pattern;

/**
 * A key pattern from {@code notify.keyPatterns}: dot-separated segments where {@code *} stands for exactly
 * one segment and {@code **} for one or more, e.g. {@code services.*.database_url} or {@code security.**}.
 */
record KeyPattern(String text, Pattern regex) {

  static KeyPattern parse(String text) {
    StringBuilder regex = new StringBuilder();
    for (String segment : text.split("\\.", -1)) {
      if (segment.isEmpty()) {
        throw new IllegalArgumentException("notify.keyPatterns: '" + text + "' has an empty segment");
      }
      if (!regex.isEmpty()) {
        regex.append("\\.");
      }
      regex.append(switch (segment) {
        case "*" -> "[^.]+";
        case "**" -> ".+";
        default -> Pattern.quote(segment);
      });
    }
    return new KeyPattern(text, Pattern.compile(regex.toString()));
  }

  boolean matches(String key) {
    return regex.matcher(key).matches();
  }
}
