package io.configd.model;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One committed change of one key: the event-bus message body and the Kafka record value.
 * {@code value} is any JSON value (null when {@code deleted}).
 */
public record Change(String key, String env, Object value, int version, long revision, Instant timestamp,
                     String actor, boolean deleted, boolean critical) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("key", key)
        .put("env", env)
        .put("value", value)
        .put("version", version)
        .put("revision", revision)
        .put("timestamp", timestamp.toString())
        .put("actor", actor)
        .put("deleted", deleted)
        .put("critical", critical);
  }

  public static Change fromJson(JsonObject json) {
    return new Change(json.getString("key"), json.getString("env"), json.getValue("value"),
        json.getInteger("version"), json.getLong("revision"), Instant.parse(json.getString("timestamp")),
        json.getString("actor"), json.getBoolean("deleted", false), json.getBoolean("critical", false));
  }
}
