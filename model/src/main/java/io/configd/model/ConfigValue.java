package io.configd.model;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * One version of one key: what a write records, what a read answers, what the change stream carries (Kafka record,
 * event-bus message, bridge frame) and what the client holds. {@code value} is a JSON value (String, Number, Boolean,
 * JsonObject, JsonArray), null when {@code deleted}; {@code comment} is null when the write had none.
 *
 * <p>The one JSON codec of the value, with one naming everywhere ({@code updatedAt}, {@code updatedBy}, as the audit
 * log too). It has two shapes, both read by {@link #fromJson}: the entry ({@link #toJson}: API answers, Redis) and the
 * change message ({@link #toChangeJson}: the change stream, {@code /v1/changes}, snapshots), which leaves out the
 * comment.
 */
public record ConfigValue(String key, String env, Object value, int version, long revision, boolean deleted,
                          boolean critical, String comment, Instant updatedAt, String updatedBy) {

  /** True when the key is {@code prefix} itself or lies below it, in whole segments; "" holds every key. */
  public boolean isUnder(String prefix) {
    return prefix.isEmpty() || key.equals(prefix) || key.startsWith(prefix + ".");
  }

  /** The entry: {key, env, value, version, revision, deleted, critical, updatedAt, updatedBy[, comment]}. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("key", key)
        .put("env", env)
        .put("value", value)
        .put("version", version)
        .put("revision", revision)
        .put("deleted", deleted)
        .put("critical", critical)
        .put("updatedAt", updatedAt == null ? null : updatedAt.toString())
        .put("updatedBy", updatedBy);
    if (comment != null) {
      json.put("comment", comment);
    }
    return json;
  }

  /** The change message: {key, env, value, version, revision, updatedAt, updatedBy, deleted, critical}. */
  public JsonObject toChangeJson() {
    return new JsonObject()
        .put("key", key)
        .put("env", env)
        .put("value", value)
        .put("version", version)
        .put("revision", revision)
        .put("updatedAt", updatedAt == null ? null : updatedAt.toString())
        .put("updatedBy", updatedBy)
        .put("deleted", deleted)
        .put("critical", critical);
  }

  /**
   * Reads either shape. Fails with a DecodeException saying what is wrong when key, env, version or revision is
   * missing or of the wrong type, or a time is not ISO-8601; the other members are optional.
   */
  public static ConfigValue fromJson(JsonObject json) {
    try {
      String time = json.getString("updatedAt");
      return new ConfigValue(required(json, "key", json.getString("key")), required(json, "env", json.getString("env")),
          json.getValue("value"), required(json, "version", json.getInteger("version")),
          required(json, "revision", json.getLong("revision")), json.getBoolean("deleted", false),
          json.getBoolean("critical", false), json.getString("comment"), time == null ? null : Instant.parse(time),
          json.getString("updatedBy"));
    } catch (ClassCastException | DateTimeParseException e) {
      throw new DecodeException("not a configuration value: " + e.getMessage());
    }
  }

  private static <T> T required(JsonObject json, String member, T value) {
    if (value == null) {
      throw new DecodeException("not a configuration value: '" + member + "' is missing in " + abbreviated(json));
    }
    return value;
  }

  private static String abbreviated(JsonObject json) {
    String text = json.encode();
    return text.length() > 200 ? text.substring(0, 200) + "…" : text;
  }
}
