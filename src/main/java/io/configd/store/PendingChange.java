package io.configd.store;

import io.configd.model.ConfigKey;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A write or transaction an approval policy held until another principal approves it. {@code status} is pending,
 * approved, rejected or expired (pending past {@code expiresAt}). Each op keeps the version of its key it was proposed
 * against: approving commits only if the key is still there; a pending change whose key moved on is {@code stale}
 * (shown as a conflict: approving it is refused).
 *
 * @param single   it came as one PUT, DELETE or rollback and commits as one; else as a transaction
 * @param revision the revision its approval committed (a transaction's first), null until then
 * @param approvalsNeeded how many distinct principals must approve it (its policies' most)
 * @param approvals       who approved it so far, while more are needed (the last approver commits it)
 */
public record PendingChange(UUID id, String env, boolean single, String author, String comment, Instant createdAt,
                            Instant expiresAt, String status, String decidedBy, Instant decidedAt, String reason,
                            Long revision, int approvalsNeeded, List<String> approvals, List<Op> ops) {

  public static final String PENDING = "pending";

  /**
   * One op of a pending change with the state of its key when it was proposed.
   *
   * @param value       a put's value (JSON), null for a delete or a check
   * @param baseVersion    the key's version then, 0 when it was never written
   * @param baseValue      its value then, null when absent or deleted
   * @param sealed         a secret put's ciphertext (then {@code value} is the mask), else null
   * @param currentVersion the key's version now (as read with the change): another than baseVersion, it moved on
   */
  public record Op(TxnOp.Kind kind, ConfigKey key, Object value, Boolean critical, String comment, int baseVersion,
                   boolean baseDeleted, Object baseValue, String sealed, int currentVersion) {

    /** A change proposed now: its key is at the version it is proposed against. */
    public Op(TxnOp.Kind kind, ConfigKey key, Object value, Boolean critical, String comment, int baseVersion,
              boolean baseDeleted, Object baseValue, String sealed) {
      this(kind, key, value, critical, comment, baseVersion, baseDeleted, baseValue, sealed, baseVersion);
    }

    public Op(TxnOp.Kind kind, ConfigKey key, Object value, Boolean critical, String comment, int baseVersion,
              boolean baseDeleted, Object baseValue) {
      this(kind, key, value, critical, comment, baseVersion, baseDeleted, baseValue, null);
    }

    /** The op as the write pipeline takes it, conditioned on the key still being at its base version. */
    public TxnOp toTxnOp() {
      Precondition expected = baseVersion == 0 ? Precondition.ABSENT : new Precondition.Version(baseVersion);
      if (sealed != null) {
        return new TxnOp(kind, key, null, critical, comment, expected, Boolean.TRUE, Sealer.Sealed.of(sealed));
      }
      return new TxnOp(kind, key, value == null ? null : Json.encode(value), critical, comment, expected);
    }

    /** A secret's value shows as the mask, to approvers too: they approve that it changes, not what it holds. */
    JsonObject toJson() {
      JsonObject json = new JsonObject().put("op", kind.wire()).put("key", key.value()).put("value", value)
          .put("critical", critical).put("comment", comment)
          .put("before", new JsonObject().put("version", baseVersion).put("deleted", baseDeleted).put("value", baseValue))
          .put("currentVersion", currentVersion);
      return sealed == null ? json : json.put("secret", true).put("masked", true);
    }
  }

  static PendingChange from(Row row) {
    List<Op> ops = new ArrayList<>();
    JsonArray array = new JsonArray(row.getString("ops"));
    for (int i = 0; i < array.size(); i++) {
      JsonObject op = array.getJsonObject(i);
      ops.add(new Op(TxnOp.Kind.valueOf(op.getString("op").toUpperCase()), ConfigKey.parse(op.getString("key")),
          op.getValue("value"), op.getBoolean("critical"), op.getString("comment"), op.getInteger("baseVersion"),
          op.getBoolean("baseDeleted"), op.getValue("baseValue"), op.getString("sealed"),
          op.getInteger("currentVersion")));
    }
    return new PendingChange(row.getUUID("id"), row.getString("env"), row.getBoolean("single"),
        row.getString("author"), row.getString("comment"), instant(row, "created_at"), instant(row, "expires_at"),
        row.getString("status"), row.getString("decided_by"), instant(row, "decided_at"), row.getString("reason"),
        row.getLong("revision"), row.getInteger("approvals_needed"),
        new JsonArray(row.getString("approvals")).stream().map(String.class::cast).toList(), ops);
  }

  private static Instant instant(Row row, String column) {
    return row.getOffsetDateTime(column) == null ? null : row.getOffsetDateTime(column).toInstant();
  }

  /** As GET /v1/pending/{id} answers it: each op with the key's state it was proposed against (the diff). */
  public JsonObject toJson() {
    JsonArray changes = new JsonArray();
    ops.forEach(op -> changes.add(op.toJson()));
    return new JsonObject().put("id", id.toString()).put("env", env).put("status", status).put("author", author)
        .put("comment", comment).put("createdAt", createdAt.toString()).put("expiresAt", expiresAt.toString())
        .put("decidedBy", decidedBy).put("decidedAt", decidedAt == null ? null : decidedAt.toString())
        .put("reason", reason).put("revision", revision).put("transaction", !single)
        .put("approvalsNeeded", approvalsNeeded).put("approvals", new JsonArray(approvals))
        .put("stale", status.equals(PENDING) && ops.stream().anyMatch(op -> op.currentVersion() != op.baseVersion()))
        .put("ops", changes);
  }
}
