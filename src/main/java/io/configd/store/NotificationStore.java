package io.configd.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Alerts owed to webhooks and the record of every delivery attempt. */
public final class NotificationStore {

  private final Pool pool;

  public NotificationStore(Pool pool) {
    this.pool = pool;
  }

  /** One pending alert per (revision, webhook), a poll's alerts in one statement; an alert recorded before is left as it is. */
  public Future<Void> recordPending(List<PendingAlert> alerts) {
    if (alerts.isEmpty()) {
      return Future.succeededFuture();
    }
    Tuple arrays = Tuple.tuple()
        .addArrayOfLong(alerts.stream().map(PendingAlert::revision).toArray(Long[]::new))
        .addArrayOfString(alerts.stream().map(PendingAlert::webhook).toArray(String[]::new))
        .addArrayOfString(alerts.stream().map(PendingAlert::env).toArray(String[]::new))
        .addArrayOfString(alerts.stream().map(PendingAlert::key).toArray(String[]::new))
        .addArrayOfString(alerts.stream().map(PendingAlert::payload).toArray(String[]::new));
    return pool.preparedQuery(SqlQueries.INSERT_NOTIFICATIONS).execute(arrays).mapEmpty();
  }

  /** Claims up to {@code limit} due alerts of one webhook, oldest first, for {@code leaseMs}. */
  public Future<List<DueAlert>> claimDue(String webhook, int limit, int leaseMs) {
    return pool.preparedQuery(SqlQueries.CLAIM_DUE_NOTIFICATIONS).execute(Tuple.of(webhook, limit, leaseMs))
        .map(rows -> {
          List<DueAlert> due = new ArrayList<>();
          for (Row row : rows) {
            due.add(new DueAlert(row.getLong("revision"), webhook, row.getString("payload"), row.getInteger("attempts")));
          }
          due.sort(Comparator.comparingLong(DueAlert::revision));
          return due;
        });
  }

  public Future<Void> recordDelivered(DueAlert alert, int statusCode) {
    return pool.preparedQuery(SqlQueries.RECORD_DELIVERED)
        .execute(Tuple.of(alert.revision(), alert.webhook(), alert.attempt(), statusCode)).mapEmpty();
  }

  public Future<Void> recordRetry(DueAlert alert, Integer statusCode, String error, long retryInMs) {
    return pool.preparedQuery(SqlQueries.RECORD_RETRY)
        .execute(Tuple.of(alert.revision(), alert.webhook(), alert.attempt(), statusCode, error, (int) retryInMs))
        .mapEmpty();
  }

  public Future<Void> recordFailed(DueAlert alert, Integer statusCode, String error) {
    return pool.preparedQuery(SqlQueries.RECORD_FAILED)
        .execute(Tuple.of(alert.revision(), alert.webhook(), alert.attempt(), statusCode, error)).mapEmpty();
  }

  /** An alert to record for one webhook; {@code payload} is the JSON body to POST. */
  public record PendingAlert(long revision, String webhook, String env, String key, String payload) {
  }

  /** A claimed alert; {@code attempt} counts this attempt, from 1. */
  public record DueAlert(long revision, String webhook, String payload, int attempt) {
  }
}
