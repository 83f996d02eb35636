package io.configd.logging;

import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * The {@code log} section: the console's format and whether every HTTP request gets an access log line.
 *
 * @param json          true: one JSON object per line (logback's JsonEncoder); false: the text pattern
 * @param access        an access log line per HTTP request (logger {@code io.configd.access}), with its request id
 * @param accessFlushMs the access lines gather in a buffer written every this many milliseconds (or when 64 KiB
 *                      fill it); 0: each line written and flushed on its own, as the other loggers' lines are
 */
public record LogSettings(boolean json, boolean access, int accessFlushMs) {

  public static LogSettings from(JsonObject config) {
    JsonObject log = config.getJsonObject("log", new JsonObject());
    String format = log.getString("format", "text").trim().toLowerCase(Locale.ROOT);
    if (!format.equals("text") && !format.equals("json")) {
      throw new IllegalArgumentException("log.format (CONFIGD_LOG_FORMAT) is 'text' or 'json', not '" + format + "'");
    }
    int accessFlushMs = log.getInteger("accessFlushMs", 1000);
    if (accessFlushMs < 0) {
      throw new IllegalArgumentException("log.accessFlushMs (CONFIGD_LOG_ACCESS_FLUSH_MS) is 0 (each line at once) or "
          + "more milliseconds, not " + accessFlushMs);
    }
    return new LogSettings(format.equals("json"), log.getBoolean("access", true), accessFlushMs);
  }
}
