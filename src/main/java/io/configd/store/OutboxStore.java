package io.configd.store;

import io.configd.model.ConfigValue;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/** The change log seen as an outbox: what the publisher still has to relay to Kafka. */
public final class OutboxStore {

  private final Pool pool;

  public OutboxStore(Pool pool) {
    this.pool = pool;
  }

  /** The NOTIFY channel a schema's committed changes are announced on (see V2__change_stream.sql). */
  public static String channel(String schema) {
    String channel = "config_change_" + schema;
    return channel.length() > 63 ? channel.substring(0, 63) : channel;
  }

  /**
   * Moves the relay's watermark from {@code stored} (as the relay last read it) to {@code relayedUpTo} and fetches
   * the oldest changes after the watermark, in revision order, in one statement. A watermark that is not
   * {@code stored} stays (pass -1 to only read it); the batch tells the one it started from.
   */
  public Future<RelayBatch> markAndFetch(long stored, long relayedUpTo, int limit) {
    return pool.preparedQuery(SqlQueries.MARK_AND_SELECT_UNPUBLISHED).execute(Tuple.of(stored, relayedUpTo, limit))
        .map(rows -> {
          long watermark = -1;
          List<ConfigValue> changes = new ArrayList<>(rows.size());
          for (Row row : rows) {
            watermark = row.getLong("relayed");
            if (row.getLong("revision") != null) {
              changes.add(ConfigValueRow.from(row));
            }
          }
          return new RelayBatch(watermark, changes);
        });
  }

  /** The watermark stored when the batch was read, and the changes after it. */
  public record RelayBatch(long watermark, List<ConfigValue> changes) {
  }

  public Future<Backlog> backlog() {
    return pool.preparedQuery(SqlQueries.SELECT_BACKLOG).execute().map(rows -> {
      Row row = rows.iterator().next();
      var oldestAt = row.getOffsetDateTime("oldest_at");
      return new Backlog(row.getLong("size"), row.getLong("oldest_revision"),
          oldestAt == null ? null : oldestAt.toInstant());
    });
  }

  /** Tries to take the relay's leadership on a dedicated connection; the lock lives as long as the connection. */
  public static Future<Boolean> tryPublisherLock(SqlConnection conn) {
    return conn.preparedQuery(SqlQueries.TRY_PUBLISHER_LOCK).execute()
        .map(rows -> rows.iterator().next().getBoolean("locked"));
  }

  public static Future<Void> ping(SqlConnection conn) {
    return conn.query(SqlQueries.PING).execute().mapEmpty();
  }
}
