package io.configd.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.function.BiFunction;

/** The epoch kept with the revision counter: read, and a new one started when the database was restored. */
public final class EpochStore {

  /** The head revision and the epoch of the database. */
  public record Current(long revision, long epoch) {
  }

  private final Pool pool;

  public EpochStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * Reads the head and the epoch with the counter's row locked, asks {@code restored} whether the database is behind
   * what was published (given the head and the epoch; it answers the revision to start a new epoch at, or null), and
   * starts that epoch in the same transaction: nodes starting together on one restored database start one epoch.
   *
   * @param epochAtLeast the least value of a new epoch (the epoch grows by one at least)
   */
  public Future<Current> checkAndStart(BiFunction<Long, Long, Long> restored, long epochAtLeast) {
    return pool.withTransaction(conn -> conn.preparedQuery(SqlQueries.SELECT_EPOCH_FOR_UPDATE).execute()
        .compose(rows -> {
          Current current = current(rows.iterator().next());
          Long startAt = restored.apply(current.revision(), current.epoch());
          if (startAt == null) {
            return Future.succeededFuture(current);
          }
          return conn.preparedQuery(SqlQueries.START_EPOCH).execute(Tuple.of(epochAtLeast, startAt))
              .map(started -> current(started.iterator().next()));
        }));
  }

  public Future<Current> current() {
    return pool.preparedQuery(SqlQueries.SELECT_HEAD).execute().map(rows -> current(rows.iterator().next()));
  }

  private static Current current(Row row) {
    return new Current(row.getLong("revision"), row.getLong("epoch"));
  }
}
