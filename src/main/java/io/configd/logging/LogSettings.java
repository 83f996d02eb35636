package io.configd.logging;

import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * The {@code log} section: the console's format and whether every HTTP request gets an access log line.
 *
 * @param json   true: one JSON object per line (logback's JsonEncoder); false: the text pattern
 * @param access an access log line per HTTP request (logger {@code io.configd.access}), with its request id
 */
public record LogSettings(boolean json, boolean access) {

  public static LogSettings from(JsonObject config) {
    JsonObject log = config.getJsonObject("log", new JsonObject());
    String format = log.getString("format", "text").trim().toLowerCase(Locale.ROOT);
    if (!format.equals("text") && !format.equals("json")) {
      throw new IllegalArgumentException("log.format (CONFIGD_LOG_FORMAT) is 'text' or 'json', not '" + format + "'");
    }
    return new LogSettings(format.equals("json"), log.getBoolean("access", true));
  }
}
