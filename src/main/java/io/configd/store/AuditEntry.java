package io.configd.store;

import io.configd.model.ConfigValue;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;

/**
 * Who changed what, when and why: one row of the audit log, named as the value it records ({@code updatedAt},
 * {@code updatedBy}); {@code recordedAt} is when the audit row was written. Values are JSON values, null when absent.
 * {@code txn} is the transaction that wrote the version (POST /v1/txn), null for a single write. {@code approvedBy}
 * names who approved it when it waited for approval (the pending change {@code pendingId}), null otherwise. A secret
 * key's values are its mask: the audit log says that it changed, and by whom, never what it holds.
 */
public record AuditEntry(long revision, String env, String key, String updatedBy, Integer previousVersion, int version,
                         Object oldValue, Object newValue, boolean deleted, boolean critical, String comment,
                         Instant updatedAt, Instant recordedAt, ConfigValue.Txn txn, String approvedBy,
                         java.util.UUID pendingId, boolean secret) {

  static AuditEntry from(Row row) {
    return new AuditEntry(row.getLong("revision"), row.getString("env"), row.getString("key"), row.getString("actor"),
        row.getInteger("previous_version"), row.getInteger("version"), decode(row.getString("old_value")),
        decode(row.getString("new_value")), row.getBoolean("deleted"), row.getBoolean("critical"),
        row.getString("comment"), row.getOffsetDateTime("changed_at").toInstant(),
        row.getOffsetDateTime("recorded_at").toInstant(),
        row.getLong("txn") == null ? null : new ConfigValue.Txn(row.getLong("txn"), row.getLong("txn_last")),
        row.getString("approved_by"), row.getUUID("pending_id"), Boolean.TRUE.equals(row.getBoolean("secret")));
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("revision", revision)
        .put("env", env)
        .put("key", key)
        .put("updatedBy", updatedBy)
        .put("previousVersion", previousVersion)
        .put("version", version)
        .put("oldValue", oldValue)
        .put("newValue", newValue)
        .put("deleted", deleted)
        .put("critical", critical)
        .put("comment", comment)
        .put("updatedAt", updatedAt.toString())
        .put("recordedAt", recordedAt.toString());
    if (txn != null) {
      json.put("txn", txn.toJson());
    }
    if (approvedBy != null) {
      json.put("approvedBy", approvedBy).put("pendingId", pendingId.toString());
    }
    if (secret) {
      json.put("secret", true);
    }
    return json;
  }

  private static Object decode(String json) {
    return json == null ? null : Json.decodeValue(json);
  }
}
