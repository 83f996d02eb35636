package io.configd.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * One instance as the cluster knows it, from the row of the node it is connected to (or was last).
 *
 * @param watches   [{env, prefix}], every environment's
 * @param acked     what it acknowledged in the environment asked for: {revision, failures, keys}, or null
 * @param goneAt    null while connected
 * @param connected its node refreshed it lately and it has not left
 */
public record InstanceRow(String id, String node, String app, JsonObject labels, List<String> transports,
                          JsonArray watches, JsonObject acked, Instant connectedAt, Instant lastSeen, Instant goneAt,
                          boolean connected) {

  static InstanceRow from(Row row) {
    String acked = row.getString("acked");
    return new InstanceRow(row.getString("instance_id"), row.getString("node"), row.getString("app"),
        new JsonObject(row.getString("labels")), List.of(row.getArrayOfStrings("transports")),
        new JsonArray(row.getString("watches")), acked == null ? null : new JsonObject(acked),
        instant(row, "connected_at"), instant(row, "last_seen"), instant(row, "gone_at"), row.getBoolean("connected"));
  }

  static Instant instant(Row row, String column) {
    OffsetDateTime value = row.getOffsetDateTime(column);
    return value == null ? null : value.toInstant();
  }
}
