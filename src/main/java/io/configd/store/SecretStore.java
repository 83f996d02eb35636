package io.configd.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The secrets' keys in PostgreSQL (data keys, master key check values) and the re-encryption of sealed versions. */
public final class SecretStore {

  /** A data key as stored: wrapped by the master key {@code masterKey}, first made under {@code createdFor}. */
  public record DataKeyRow(int id, String masterKey, String wrapped, String createdFor) {
  }

  /** One sealed version to seal again. */
  public record SealedVersion(String env, String key, int version, String sealed, int dataKey) {
  }

  private final Pool pool;

  public SecretStore(Pool pool) {
    this.pool = pool;
  }

  /** Master key id → its stored key check value. */
  public Future<Map<String, String>> checkValues() {
    return pool.preparedQuery(SqlQueries.SELECT_MASTER_KEY_CHECKS).execute().map(rows -> {
      Map<String, String> checks = new HashMap<>();
      rows.forEach(row -> checks.put(row.getString("id"), row.getString("check_value")));
      return checks;
    });
  }

  /** Stores the check value of a master key id seen for the first time (the first node's wins). */
  public Future<Void> recordCheckValue(String id, String checkValue) {
    return pool.preparedQuery(SqlQueries.INSERT_MASTER_KEY_CHECK).execute(Tuple.of(id, checkValue)).mapEmpty();
  }

  public Future<List<DataKeyRow>> dataKeys() {
    return pool.preparedQuery(SqlQueries.SELECT_DATA_KEYS).execute().map(rows -> {
      List<DataKeyRow> keys = new ArrayList<>();
      rows.forEach(row -> keys.add(new DataKeyRow(row.getInteger("id"), row.getString("master_key"),
          row.getString("wrapped"), row.getString("created_for"))));
      return keys;
    });
  }

  /**
   * Adds a data key made for {@code masterKey} unless one exists; {@code wrap} wraps the new key for the id it gets
   * (the wrapping binds the id). Nodes racing: one insert wins, the others read it back.
   */
  public Future<Void> addDataKey(String masterKey, Function<Integer, String> wrap) {
    return pool.withTransaction(conn -> conn.query(SqlQueries.LOCK_DATA_KEYS).execute()
        .compose(locked -> conn.preparedQuery(SqlQueries.SELECT_DATA_KEYS).execute())
        .compose(rows -> {
          int next = 1;
          for (Row row : rows) {
            if (row.getString("created_for").equals(masterKey)) {
              return Future.succeededFuture();
            }
            next = Math.max(next, row.getInteger("id") + 1);
          }
          return conn.preparedQuery(SqlQueries.INSERT_DATA_KEY)
              .execute(Tuple.of(next, masterKey, wrap.apply(next))).mapEmpty();
        }));
  }

  /** Wraps a data key again under another master key, if it is still wrapped by {@code from}; true when it was. */
  public Future<Boolean> rewrap(int id, String from, String to, String wrapped) {
    return pool.preparedQuery(SqlQueries.REWRAP_DATA_KEY).execute(Tuple.of(id, from, to, wrapped))
        .map(rows -> rows.rowCount() == 1);
  }

  /** Every secret key, as "env/key". */
  public Future<List<String>> secretKeys() {
    return pool.preparedQuery(SqlQueries.SELECT_SECRET_KEYS).execute().map(rows -> {
      List<String> keys = new ArrayList<>();
      rows.forEach(row -> keys.add(row.getString("env") + "/" + row.getString("key")));
      return keys;
    });
  }

  /**
   * One round in one transaction, if no other node holds the round's lock: at most {@code batch} sealed versions not
   * under {@code activeKey} sealed again by {@code reseal}, and the current entries updated to match. The number of
   * versions sealed again (-1: another node holds the lock).
   */
  public Future<Integer> reencrypt(int activeKey, int batch, Function<SealedVersion, String> reseal) {
    return pool.withTransaction(conn -> conn.preparedQuery(SqlQueries.TRY_REENCRYPT_LOCK).execute()
        .compose(lock -> !lock.iterator().next().getBoolean("locked") ? Future.succeededFuture(-1)
            : conn.preparedQuery(SqlQueries.SELECT_SEALED_UNDER_OTHER_KEYS).execute(Tuple.of(activeKey, batch))
                .compose(rows -> {
                  List<Tuple> updates = new ArrayList<>();
                  for (Row row : rows) {
                    SealedVersion version = new SealedVersion(row.getString("env"), row.getString("key"),
                        row.getInteger("version"), row.getString("sealed"), row.getInteger("data_key"));
                    updates.add(Tuple.of(version.env(), version.key(), version.version(), reseal.apply(version),
                        activeKey));
                  }
                  return updates.isEmpty() ? Future.succeededFuture(0) : resealed(conn, updates);
                })));
  }

  private static Future<Integer> resealed(SqlConnection conn, List<Tuple> updates) {
    return conn.preparedQuery(SqlQueries.UPDATE_VERSION_SEALED).executeBatch(updates)
        .compose(done -> conn.preparedQuery(SqlQueries.UPDATE_ENTRIES_SEALED).execute())
        .map(done -> updates.size());
  }

  /** Data key id → how many sealed versions it seals. */
  public Future<Map<Integer, Long>> sealedPerDataKey() {
    return pool.preparedQuery(SqlQueries.COUNT_SEALED_BY_DATA_KEY).execute().map(rows -> {
      Map<Integer, Long> counts = new LinkedHashMap<>();
      rows.forEach(row -> counts.put(row.getInteger("data_key"), row.getLong("versions")));
      return counts;
    });
  }

}
