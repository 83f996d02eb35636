package io.configd.store;

import io.configd.model.ConfigKey;
import io.configd.model.ConfigValue;
import io.configd.model.KeyPrefix;
import io.configd.model.RevisionCompactedException;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** The configuration in PostgreSQL, as readers see it: current values, their history and the change log (writes: WritePipeline). */
public final class ConfigStore {

  private final SqlClient pool;

  /** @param pool the node's pool, or one connection of it (a read whose time limit must not count the pool's queue) */
  public ConfigStore(SqlClient pool) {
    this.pool = pool;
  }

  public Future<Optional<ConfigValue>> current(String env, ConfigKey key) {
    return pool.preparedQuery(SqlQueries.SELECT_ENTRY).execute(Tuple.of(env, key.value()))
        .map(rows -> first(rows).map(ConfigValueRow::from));
  }

  /**
   * Current entries under a prefix, by key, after the cursor key; only those under one of {@code readable}
   * when it is not null (the prefixes a caller may read).
   */
  public Future<Page<ConfigValue>> entries(String env, KeyPrefix prefix, String afterKey, int limit, List<String> readable) {
    Tuple args = Tuple.of(env, afterKey, prefix.value(), prefix.childrenFrom(), prefix.childrenTo(), limit + 1)
        .addArrayOfString(readable == null ? null : readable.toArray(String[]::new));
    return pool.preparedQuery(SqlQueries.SELECT_ENTRIES).execute(args)
        .map(rows -> page(rows, limit, value -> value.key()));
  }

  public Future<Optional<ConfigValue>> version(String env, ConfigKey key, int version) {
    return pool.preparedQuery(SqlQueries.SELECT_VERSION).execute(Tuple.of(env, key.value(), version))
        .map(rows -> first(rows).map(ConfigValueRow::from));
  }

  /** A key's versions, newest first, below the cursor version. */
  public Future<Page<ConfigValue>> versions(String env, ConfigKey key, int beforeVersion, int limit) {
    return pool.preparedQuery(SqlQueries.SELECT_VERSIONS).execute(Tuple.of(env, key.value(), beforeVersion, limit + 1))
        .map(rows -> page(rows, limit, value -> Integer.toString(value.version())));
  }

  /**
   * Every change after a revision under a prefix (and under one of {@code readable} unless null), in revision order.
   * Fails with a {@link RevisionCompactedException} when retention pruned changes after {@code since}. A page never
   * ends inside a transaction: one that {@code limit} would cut holds the rest of it too (at most a transaction's
   * 1,000 ops more), so a reader has each transaction whole once it has a page.
   */
  public Future<ChangePage> changes(String env, KeyPrefix prefix, long since, int limit, List<String> readable) {
    return changesPage(env, prefix, since, limit, readable).compose(page -> {
      ConfigValue last = page.items().isEmpty() ? null : page.items().get(page.items().size() - 1);
      if (!page.more() || last.txn() == null || last.revision() >= last.txn().last()) {
        return Future.succeededFuture(page);
      }
      long end = last.txn().last();
      return changesPage(env, prefix, last.revision(), (int) (end - last.revision()), readable).map(rest -> {
        List<ConfigValue> items = new ArrayList<>(page.items());
        rest.items().stream().filter(change -> change.revision() <= end).forEach(items::add);
        return new ChangePage(items, Math.min(end, rest.next()), page.head(), rest.more() || rest.next() > end,
            page.epoch());
      });
    });
  }

  private Future<ChangePage> changesPage(String env, KeyPrefix prefix, long since, int limit, List<String> readable) {
    Tuple args = Tuple.of(since, env, prefix.value(), prefix.childrenFrom(), prefix.childrenTo(), limit + 1)
        .addArrayOfString(readable == null ? null : readable.toArray(String[]::new));
    return pool.preparedQuery(SqlQueries.SELECT_CHANGES).execute(args).map(rows -> {
      Row first = rows.iterator().next();
      long head = first.getLong("head");
      long epoch = first.getLong("epoch");
      long compacted = first.getLong("compacted_revision");
      if (since < compacted) {
        throw new RevisionCompactedException(since, compacted + 1);
      }
      List<ConfigValue> items = new ArrayList<>();
      for (Row row : rows) {
        if (row.getString("key") != null) {
          items.add(ConfigValueRow.from(row));
        }
      }
      if (items.size() > limit) {
        items.remove(limit);
        return new ChangePage(items, items.get(limit - 1).revision(), head, true, epoch);
      }
      // Every revision up to the head (read in the same snapshot) has committed: a reader can skip to it.
      return new ChangePage(items, Math.max(since, head), head, false, epoch);
    });
  }

  /** Current entries under a prefix, by key after the cursor, and the revision they are at. */
  public Future<Snapshot> snapshot(String env, KeyPrefix prefix, String afterKey, int limit) {
    Tuple args = Tuple.of(env, afterKey, prefix.value(), prefix.childrenFrom(), prefix.childrenTo(), limit + 1);
    return pool.preparedQuery(SqlQueries.SELECT_SNAPSHOT).execute(args).map(rows -> {
      Row first = rows.iterator().next();
      long head = first.getLong("head");
      List<ConfigValue> items = new ArrayList<>();
      for (Row row : rows) {
        if (row.getString("key") != null) {
          items.add(ConfigValueRow.from(row));
        }
      }
      String next = null;
      if (items.size() > limit) {
        items.remove(limit);
        next = items.get(limit - 1).key();
      }
      return new Snapshot(items, head, first.getLong("epoch"), next);
    });
  }

  /** Every change, of every environment, after {@code after} and before {@code before}, in revision order. */
  public Future<List<ConfigValue>> changesBetween(long after, long before, int limit) {
    return pool.preparedQuery(SqlQueries.SELECT_CHANGES_BETWEEN).execute(Tuple.of(after, before, limit)).map(rows -> {
      List<ConfigValue> changes = new ArrayList<>(rows.size());
      rows.forEach(row -> changes.add(ConfigValueRow.from(row)));
      return changes;
    });
  }

  public Future<Long> headRevision() {
    return pool.preparedQuery(SqlQueries.SELECT_HEAD_REVISION).execute().map(rows -> rows.iterator().next().getLong(0));
  }

  /** The head revision, the epoch and the compaction watermark, read together. */
  public Future<Head> head() {
    return pool.preparedQuery(SqlQueries.SELECT_HEAD).execute().map(rows -> {
      Row row = rows.iterator().next();
      return new Head(row.getLong("revision"), row.getLong("epoch"), row.getLong("compacted_revision"));
    });
  }

  public Future<Void> ping() {
    return pool.query(SqlQueries.PING).execute().mapEmpty();
  }

  private static Optional<Row> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next());
  }

  private static Page<ConfigValue> page(RowSet<Row> rows, int limit,
                                        Function<ConfigValue, String> cursor) {
    List<ConfigValue> items = new ArrayList<>();
    for (Row row : rows) {
      items.add(ConfigValueRow.from(row));
    }
    if (items.size() <= limit) {
      return new Page<>(items, null);
    }
    items.remove(limit);
    return new Page<>(items, cursor.apply(items.get(limit - 1)));
  }
}
