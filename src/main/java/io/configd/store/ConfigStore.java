package io.configd.store;

import io.configd.model.ConfigKey;
import io.configd.model.ConfigValue;
import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.configd.model.KeyPrefix;
import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** The configuration in PostgreSQL: current values, their history and the change log. */
public final class ConfigStore {

  private final SqlClient pool;

  /** @param pool the node's pool, or one connection of it (a read whose time limit must not count the pool's queue) */
  public ConfigStore(SqlClient pool) {
    this.pool = pool;
  }

  /**
   * Records a new version of a key in one transaction: version history, current value and change log
   * with the next global revision. Fails with PRECONDITION_FAILED when {@code write.expected()} does not hold.
   */
  public Future<ConfigValue> write(Write write) {
    Tuple args = Tuple.of(write.env(), write.key().value(), write.encodedValue(), write.deleted())
        .addValue(write.critical()).addString(write.comment()).addString(write.actor())
        .addString(write.expected().kind()).addValue(write.expected().expectedVersion());
    return pool.preparedQuery(SqlQueries.WRITE).execute(args)
        .map(rows -> recorded(write, rows.iterator().next()))
        .recover(failure -> Future.failedFuture(refusal(write, failure)));
  }

  /** Writes the value of an earlier version as a new version. */
  public Future<ConfigValue> rollback(String env, ConfigKey key, int version, String comment, String actor,
                                      Precondition expected) {
    return version(env, key, version)
        .compose(found -> {
          ConfigValue target = found.orElseThrow(() -> new ConfigdException(Failure.NOT_FOUND,
              "key '" + key + "' has no version " + version + " in " + env));
          if (target.deleted()) {
            throw new ConfigdException(Failure.CONFLICT, "version " + version + " of '" + key
                + "' is a deletion; delete the key with DELETE instead of rolling back to it");
          }
          String why = comment != null ? comment : "rollback to version " + version;
          return write(new Write(env, key, Json.encode(target.value()), false, target.critical(),
              why, actor, expected));
        });
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

  /** Every change after a revision under a prefix (and under one of {@code readable} unless null), in revision order. */
  public Future<ChangePage> changes(String env, KeyPrefix prefix, long since, int limit, List<String> readable) {
    Tuple args = Tuple.of(since, env, prefix.value(), prefix.childrenFrom(), prefix.childrenTo(), limit + 1)
        .addArrayOfString(readable == null ? null : readable.toArray(String[]::new));
    return pool.preparedQuery(SqlQueries.SELECT_CHANGES).execute(args).map(rows -> {
      long head = rows.iterator().next().getLong("head");
      List<ConfigValue> items = new ArrayList<>();
      for (Row row : rows) {
        if (row.getString("key") != null) {
          items.add(ConfigValueRow.from(row));
        }
      }
      if (items.size() > limit) {
        items.remove(limit);
        return new ChangePage(items, items.get(limit - 1).revision(), head, true);
      }
      // Every revision up to the head (read in the same snapshot) has committed: a reader can skip to it.
      return new ChangePage(items, Math.max(since, head), head, false);
    });
  }

  /** Current entries under a prefix, by key after the cursor, and the revision they are at. */
  public Future<Snapshot> snapshot(String env, KeyPrefix prefix, String afterKey, int limit) {
    Tuple args = Tuple.of(env, afterKey, prefix.value(), prefix.childrenFrom(), prefix.childrenTo(), limit + 1);
    return pool.preparedQuery(SqlQueries.SELECT_SNAPSHOT).execute(args).map(rows -> {
      long head = rows.iterator().next().getLong("head");
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
      return new Snapshot(items, head, next);
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

  public Future<Void> ping() {
    return pool.query(SqlQueries.PING).execute().mapEmpty();
  }

  private static ConfigValue recorded(Write write, Row row) {
    Object value = write.encodedValue() == null ? null : Json.decodeValue(write.encodedValue());
    return new ConfigValue(write.key().value(), write.env(), value, row.getInteger("version"), row.getLong("revision"),
        write.deleted(), row.getBoolean("critical"), write.comment(), row.getOffsetDateTime("created_at").toInstant(),
        write.actor());
  }

  /** The write function's refusals, as the failures the API reports; anything else passes through. */
  private static Throwable refusal(Write write, Throwable failure) {
    if (!(failure instanceof PgException pg) || pg.getDetail() == null) {
      return failure;
    }
    String[] current = pg.getDetail().split(",");
    if (SqlQueries.REFUSED_PRECONDITION.equals(pg.getSqlState())) {
      return new ConfigdException(Failure.PRECONDITION_FAILED,
          write.expected().violation(Integer.parseInt(current[0]), Boolean.parseBoolean(current[1])));
    }
    if (SqlQueries.REFUSED_ALREADY_DELETED.equals(pg.getSqlState())) {
      return new ConfigdException(Failure.NOT_FOUND, "key '" + write.key() + "' does not exist in " + write.env());
    }
    return failure;
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
