package io.configd.store;

import io.configd.model.Change;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;

/** One version of one key: the current entry, or a row of its history. {@code value} is null when deleted. */
public record ConfigValue(String key, String env, Object value, int version, long revision, boolean deleted,
                          boolean critical, String comment, Instant updatedAt, String updatedBy) {

  static ConfigValue from(Row row) {
    String value = row.getString("value");
    return new ConfigValue(row.getString("key"), row.getString("env"), value == null ? null : Json.decodeValue(value),
        row.getInteger("version"), row.getLong("revision"), row.getBoolean("deleted"), row.getBoolean("critical"),
        row.getString("comment"), row.getOffsetDateTime("updated_at").toInstant(), row.getString("updated_by"));
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("key", key)
        .put("env", env)
        .put("value", value)
        .put("version", version)
        .put("revision", revision)
        .put("deleted", deleted)
        .put("critical", critical)
        .put("updatedAt", updatedAt.toString())
        .put("updatedBy", updatedBy);
    if (comment != null) {
      json.put("comment", comment);
    }
    return json;
  }

  public Change toChange() {
    return new Change(key, env, value, version, revision, updatedAt, updatedBy, deleted, critical);
  }

  public static ConfigValue fromJson(JsonObject json) {
    return new ConfigValue(json.getString("key"), json.getString("env"), json.getValue("value"),
        json.getInteger("version"), json.getLong("revision"), json.getBoolean("deleted"), json.getBoolean("critical"),
        json.getString("comment"), Instant.parse(json.getString("updatedAt")), json.getString("updatedBy"));
  }
}
