package io.configd.store;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;

/**
 * One version of a JSON Schema or of an approval policy on a key prefix, in one environment or all ({@code env} "*").
 * A schema's {@code document} is the schema, null when this version removed it; a policy's {@code required} says
 * whether writes under the prefix wait for approval (null: removed) and {@code expiresInMs} how long they may wait
 * (null: the node's default), {@code approvals} how many distinct principals must approve (null: one).
 */
public record GuardRule(String prefix, String env, int version, JsonObject document, Boolean required,
                        Long expiresInMs, String comment, Instant updatedAt, String updatedBy, Integer approvals) {

  /** The wildcard environment of a rule that applies to every environment. */
  public static final String ALL_ENVIRONMENTS = "*";

  /** False when this version removed the rule. */
  public boolean present() {
    return document != null || required != null;
  }

  static GuardRule schema(Row row) {
    String document = row.getString("document");
    return new GuardRule(row.getString("prefix"), row.getString("env"), row.getInteger("version"),
        document == null ? null : new JsonObject(document), null, null, row.getString("comment"),
        row.getOffsetDateTime("created_at").toInstant(), row.getString("created_by"), null);
  }

  static GuardRule policy(Row row) {
    return new GuardRule(row.getString("prefix"), row.getString("env"), row.getInteger("version"), null,
        row.getBoolean("required"), row.getLong("expires_in_ms"), row.getString("comment"),
        row.getOffsetDateTime("created_at").toInstant(), row.getString("created_by"), row.getInteger("approvals"));
  }

  /** A schema version as the API answers it. */
  public JsonObject schemaJson() {
    return common().put("schema", document).put("deleted", document == null);
  }

  /** A policy version as the API answers it. */
  public JsonObject policyJson() {
    return common().put("requireApproval", required).put("expiresInSeconds",
        expiresInMs == null ? null : expiresInMs / 1000.0).put("approvals", approvalsNeeded())
        .put("deleted", required == null);
  }

  /** How many distinct principals must approve a change this policy holds (1 unless it says more). */
  public int approvalsNeeded() {
    return approvals == null ? 1 : approvals;
  }

  private JsonObject common() {
    return new JsonObject().put("prefix", prefix).put("env", env).put("version", version).put("comment", comment)
        .put("updatedAt", updatedAt.toString()).put("updatedBy", updatedBy);
  }
}
