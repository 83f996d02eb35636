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

  /** The oldest unpublished changes, in revision order. */
  public Future<List<ConfigValue>> unpublished(int limit) {
    return pool.preparedQuery(SqlQueries.SELECT_UNPUBLISHED).execute(Tuple.of(limit)).map(rows -> {
      List<ConfigValue> changes = new ArrayList<>(rows.size());
      for (Row row : rows) {
        changes.add(ConfigValueRow.from(row));
      }
      return changes;
    });
  }

  public Future<Integer> markPublished(List<Long> revisions) {
    return pool.preparedQuery(SqlQueries.MARK_PUBLISHED).execute(Tuple.of(revisions.toArray(Long[]::new)))
        .map(rows -> rows.rowCount());
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
