package io.configd.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/** Prunes the change log, the version history and the audit log in batches, each key's current version kept. */
public final class RetentionStore {

  /**
   * What one batch did: the compaction watermark moved from {@code from} to {@code to} ({@code to == from}: nothing
   * was due, or another node holds the pruning lock), with the rows it deleted.
   */
  public record Pruned(long from, long to, int changes, int versions) {

    public boolean moved() {
      return to > from;
    }
  }

  private final Pool pool;

  public RetentionStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * One batch of the change log in one transaction: at most {@code batch} revisions, past those older than
   * {@code maxAgeMs} or beyond the newest {@code maxCount} (0: no such limit).
   */
  public Future<Pruned> pruneChanges(long maxAgeMs, long maxCount, int batch) {
    return pool.withTransaction(conn -> locked(conn).compose(locked -> !locked ? Future.succeededFuture(new Pruned(0, 0, 0, 0))
        : conn.preparedQuery(SqlQueries.SELECT_PRUNE_BOUNDS).execute(Tuple.of(maxAgeMs, maxCount, batch))
            .compose(rows -> {
              Row row = rows.iterator().next();
              long from = row.getLong("compacted");
              long to = row.getLong("target");
              return to <= from ? Future.succeededFuture(new Pruned(from, from, 0, 0)) : prune(conn, from, to);
            })));
  }

  /** One batch of the audit log: at most {@code batch} rows (see SqlQueries.PRUNE_AUDIT); the number deleted. */
  public Future<Integer> pruneAudit(long maxAgeMs, long maxCount, int batch) {
    return pool.withTransaction(conn -> locked(conn).compose(locked -> !locked ? Future.succeededFuture(0)
        : conn.preparedQuery(SqlQueries.PRUNE_AUDIT).execute(Tuple.of(maxAgeMs, maxCount, batch))
            .map(rows -> rows.rowCount())));
  }

  private static Future<Boolean> locked(SqlConnection conn) {
    return conn.preparedQuery(SqlQueries.TRY_RETENTION_LOCK).execute()
        .map(rows -> rows.iterator().next().getBoolean("locked"));
  }

  private static Future<Pruned> prune(SqlConnection conn, long from, long to) {
    Tuple range = Tuple.of(from, to);
    return conn.preparedQuery(SqlQueries.PRUNE_CHANGES).execute(range)
        .compose(changes -> conn.preparedQuery(SqlQueries.PRUNE_VERSIONS).execute(range)
            .compose(versions -> conn.preparedQuery(SqlQueries.RAISE_COMPACTED).execute(range)
                .map(raised -> new Pruned(from, to, changes.rowCount(), versions.rowCount()))));
  }
}
