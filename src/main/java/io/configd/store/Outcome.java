package io.configd.store;

import io.vertx.sqlclient.Row;
import java.time.Instant;

/** What configd_write_batch answered for one op (see V9__write_batches_and_transactions.sql). */
record Outcome(String outcome, Integer version, Long revision, Boolean critical, Instant createdAt,
               int currentVersion, boolean currentDeleted, Long txn, Long txnLast, boolean secret) {

  static Outcome from(Row row) {
    var created = row.getOffsetDateTime("o_created_at");
    // an op after a transaction's failing one was never looked at: no current state
    Integer current = row.getInteger("o_cur_version");
    return new Outcome(row.getString("o_outcome"), row.getInteger("o_version"), row.getLong("o_revision"),
        row.getBoolean("o_critical"), created == null ? null : created.toInstant(), current == null ? 0 : current,
        Boolean.TRUE.equals(row.getBoolean("o_cur_deleted")), row.getLong("o_txn"), row.getLong("o_txn_last"),
        Boolean.TRUE.equals(row.getBoolean("o_secret")));
  }

  boolean ok() {
    return SqlQueries.OUTCOME_OK.equals(outcome);
  }
}
