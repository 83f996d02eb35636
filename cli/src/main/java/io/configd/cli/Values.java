package io.configd.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** How configdctl reads a value from text and shows one. */
final class Values {

  private Values() {
  }

  /** JSON when the text is JSON (20, true, {"a": 1}, "quoted"), otherwise the text itself as a string. */
  static Object parse(String text) {
    String trimmed = text.strip();
    if (trimmed.isEmpty()) {
      return text;
    }
    try {
      Object value = Json.decodeValue(trimmed);
      return value == null ? text : value;
    } catch (DecodeException e) {
      return text;
    }
  }

  /** A string as it is, anything else as indented JSON: what `get` prints. */
  static String show(Object value) {
    if (value instanceof String text) {
      return text;
    }
    if (value instanceof JsonObject object) {
      return object.encodePrettily();
    }
    if (value instanceof JsonArray array) {
      return array.encodePrettily();
    }
    return Json.encode(value);
  }

  /** On one line, cut to {@code max} characters. */
  static String brief(Object value, int max) {
    String text = Json.encode(value);
    return text.length() <= max ? text : text.substring(0, max - 1) + "…";
  }
}
