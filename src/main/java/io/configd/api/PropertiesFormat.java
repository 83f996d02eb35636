package io.configd.api;

import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import java.io.IOException;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * key=value lines. A string is written as it is unless that text would read as JSON ("20", "true", "\"x\""), in which
 * case it is written as a JSON string; every other value is written as JSON. Reading applies the same rule backwards.
 */
final class PropertiesFormat {

  private PropertiesFormat() {
  }

  static String write(Map<String, Object> values) {
    StringBuilder out = new StringBuilder();
    values.forEach((key, value) -> {
      String text = value instanceof String string && !isJson(string) ? string : Json.encode(value);
      out.append(key).append('=').append(escape(text)).append('\n');
    });
    return out.toString();
  }

  static Map<String, Object> read(String text) {
    Properties properties = new Properties();
    try {
      properties.load(new StringReader(text));
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigdException(Failure.INVALID_BODY, "the .properties text does not parse: " + e.getMessage());
    }
    Map<String, Object> values = new LinkedHashMap<>();
    new TreeMap<>(properties).forEach((key, value) -> {
      String raw = (String) value;
      values.put((String) key, isJson(raw) ? Json.decodeValue(raw.strip()) : raw);
    });
    return values;
  }

  /** Whether the whole text is one JSON value (null included). */
  private static boolean isJson(String text) {
    String trimmed = text.strip();
    if (trimmed.isEmpty()) {
      return false;
    }
    try {
      Json.decodeValue(trimmed);
      return true;
    } catch (DecodeException e) {
      return false;
    }
  }

  private static String escape(String text) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\f' -> out.append("\\f");
        case '=', ':', '#', '!' -> out.append('\\').append(c);
        case ' ' -> out.append(i == 0 ? "\\ " : " ");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
