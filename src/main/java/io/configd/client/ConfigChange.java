package io.configd.client;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One applied change of one key, as the client saw it. {@code value} is a JSON value (String, Number,
 * Boolean, JsonObject, JsonArray) or null when {@code deleted}.
 */
public record ConfigChange(String key, String env, Object value, int version, long revision, Instant timestamp,
                           String actor, boolean deleted, boolean critical) {

  /** Reads a change from the bridge or /v1/changes ({@code timestamp, actor}) or a listing item ({@code updatedAt, updatedBy}). */
  public static ConfigChange fromJson(JsonObject json) {
    String time = json.getString("timestamp", json.getString("updatedAt"));
    return new ConfigChange(json.getString("key"), json.getString("env"), json.getValue("value"),
        json.getInteger("version", 0), json.getLong("revision"), time == null ? null : Instant.parse(time),
        json.getString("actor", json.getString("updatedBy")), json.getBoolean("deleted", false),
        json.getBoolean("critical", false));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("key", key)
        .put("env", env)
        .put("value", value)
        .put("version", version)
        .put("revision", revision)
        .put("timestamp", timestamp == null ? null : timestamp.toString())
        .put("actor", actor)
        .put("deleted", deleted)
        .put("critical", critical);
  }

  /** True when this change's key is {@code prefix} itself or lies below it; the empty prefix holds every key. */
  public boolean isUnder(String prefix) {
    return prefix.isEmpty() || key.equals(prefix) || key.startsWith(prefix + ".");
  }
}
