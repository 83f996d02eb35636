package io.configd.store;

import io.configd.model.Failure;
import io.configd.model.Grant;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** A token configd issued, as listed: never its secret, never its hash. */
public record ApiToken(UUID id, String name, List<Grant> grants, Instant createdAt, String createdBy, Instant expiresAt,
                       Instant revokedAt, Instant lastUsedAt) {

  static ApiToken from(Row row) {
    return new ApiToken(row.getUUID("id"), row.getString("name"), grants(row.getString("grants")),
        instant(row, "created_at"), row.getString("created_by"), instant(row, "expires_at"), instant(row, "revoked_at"),
        instant(row, "last_used_at"));
  }

  public JsonObject toJson() {
    JsonArray grantsJson = new JsonArray();
    grants.forEach(grant -> grantsJson.add(grant.toJson()));
    return new JsonObject().put("id", id.toString()).put("name", name).put("grants", grantsJson)
        .put("createdAt", text(createdAt)).put("createdBy", createdBy).put("expiresAt", text(expiresAt))
        .put("revokedAt", text(revokedAt)).put("lastUsedAt", text(lastUsedAt));
  }

  static List<Grant> grants(String json) {
    return new JsonArray(json).stream().map(grant -> Grant.fromJson(grant, Failure.INTERNAL)).toList();
  }

  static Instant instant(Row row, String column) {
    if (row.getColumnIndex(column) < 0) {
      return null;
    }
    OffsetDateTime value = row.getOffsetDateTime(column);
    return value == null ? null : value.toInstant();
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
