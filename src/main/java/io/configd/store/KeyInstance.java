package io.configd.store;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;

/**
 * An instance whose watches cover one key, with what it acknowledged of it.
 *
 * @param applied  the version of the key it acknowledged, or null
 * @param revision the revision it acknowledged in the key's environment, or null
 */
public record KeyInstance(String id, String node, String app, JsonObject labels, Long applied, Long revision,
                          long failures, Instant lastSeen, Instant goneAt, boolean connected) {

  static KeyInstance from(Row row) {
    Long failures = row.getLong("failures");
    return new KeyInstance(row.getString("instance_id"), row.getString("node"), row.getString("app"),
        new JsonObject(row.getString("labels")), row.getLong("applied"), row.getLong("revision"),
        failures == null ? 0 : failures, InstanceRow.instant(row, "last_seen"), InstanceRow.instant(row, "gone_at"),
        row.getBoolean("connected"));
  }
}
