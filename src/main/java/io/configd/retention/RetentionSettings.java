package io.configd.retention;

import io.vertx.core.json.JsonObject;

/**
 * The {@code retention} section. The change log (with the version history) and the audit log are pruned of what is
 * older than {@code changesMaxAgeMs} / {@code auditMaxAgeMs} or beyond the newest {@code changesMaxCount} /
 * {@code auditMaxCount} revisions (0: no such limit; both 0: never pruned), every {@code intervalMs}, in transactions
 * of at most {@code batchSize} revisions or rows.
 */
public record RetentionSettings(long changesMaxAgeMs, long changesMaxCount, long auditMaxAgeMs, long auditMaxCount,
                                long intervalMs, int batchSize) {

  public static RetentionSettings from(JsonObject retention) {
    RetentionSettings settings = new RetentionSettings(retention.getLong("changesMaxAgeMs", 2_592_000_000L),
        retention.getLong("changesMaxCount", 0L), retention.getLong("auditMaxAgeMs", 31_536_000_000L),
        retention.getLong("auditMaxCount", 0L), retention.getLong("intervalMs", 60_000L),
        retention.getInteger("batchSize", 1000));
    if (settings.intervalMs() < 1 || settings.batchSize() < 1 || settings.changesMaxAgeMs() < 0
        || settings.changesMaxCount() < 0 || settings.auditMaxAgeMs() < 0 || settings.auditMaxCount() < 0) {
      throw new IllegalArgumentException("retention: intervalMs and batchSize must be positive, the limits 0 or more: "
          + retention.encode());
    }
    return settings;
  }

  boolean prunesChanges() {
    return changesMaxAgeMs > 0 || changesMaxCount > 0;
  }

  boolean prunesAudit() {
    return auditMaxAgeMs > 0 || auditMaxCount > 0;
  }
}
